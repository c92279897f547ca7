// chaingraph serve: small enhancements; every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The date control of a case gets a slider over the case's period; letting go of it
  // shows the case on that day.
  var input = document.querySelector("form.day input[type=date]");
  if (!input || !input.min || !input.max) { return; }
  var day = 86400000;
  var first = Date.parse(input.min), last = Date.parse(input.max);
  if (isNaN(first) || isNaN(last) || last <= first) { return; }
  var slider = document.createElement("input");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(Math.round((last - first) / day));
  slider.value = String(Math.round((Date.parse(input.value) - first) / day));
  slider.setAttribute("aria-label", input.getAttribute("data-slider") || "");
  slider.addEventListener("input", function () {
    input.value = new Date(first + Number(slider.value) * day).toISOString().slice(0, 10);
  });
  slider.addEventListener("change", function () { input.form.submit(); });
  input.insertAdjacentElement("afterend", slider);
});
