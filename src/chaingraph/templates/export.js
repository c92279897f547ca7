(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.querySelector(".picture svg");
  var details = document.getElementById("details");
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var groups = {};
  if (svg) {
    // Graphviz's nodes carry their id as their title; chaingraph's own pictures as data-node
    svg.querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      if (title) { groups[title.textContent] = g; }
    });
    svg.querySelectorAll("[data-node]").forEach(function (g) {
      groups[g.getAttribute("data-node")] = g;
    });
  }
  function neighbours(id) {
    var out = [];
    data.edges.forEach(function (e) {
      if (e.source === id) { out.push([e.target, e.text]); }
      else if (e.target === id) { out.push([e.source, e.text]); }
    });
    return out;
  }
  function clear() {
    Object.keys(groups).forEach(function (k) { groups[k].classList.remove("dim", "hit"); });
  }
  function show(id) {
    var node = byId[id];
    if (!node) { return; }
    clear();
    var near = neighbours(id);
    var keep = {}; keep[id] = true;
    near.forEach(function (p) { keep[p[0]] = true; });
    Object.keys(groups).forEach(function (k) { if (!keep[k]) { groups[k].classList.add("dim"); } });
    if (groups[id]) { groups[id].classList.add("hit"); }
    details.textContent = "";
    var h = document.createElement("h3"); h.textContent = node.label; details.appendChild(h);
    if (node.name && node.name !== node.label) {
      var p = document.createElement("p"); p.textContent = node.name; details.appendChild(p);
    }
    var ul = document.createElement("ul");
    near.forEach(function (pair) {
      var li = document.createElement("li");
      var other = byId[pair[0]];
      li.textContent = (other ? other.label : pair[0]) + (pair[1] ? " \u2014 " + pair[1] : "");
      ul.appendChild(li);
    });
    details.appendChild(ul);
  }
  Object.keys(groups).forEach(function (k) {
    groups[k].addEventListener("click", function () { show(k); });
  });
  var find = document.getElementById("find");
  find.addEventListener("input", function () {
    var q = find.value.trim().toLowerCase();
    clear();
    if (!q) { return; }
    data.nodes.forEach(function (n) {
      var g = groups[n.id];
      if (!g) { return; }
      var text = (n.label + " " + (n.name || "")).toLowerCase();
      g.classList.add(text.indexOf(q) >= 0 ? "hit" : "dim");
    });
  });
})();
