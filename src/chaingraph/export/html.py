"""One self-contained HTML page: the picture, a legend, the timeline and plain sentences.

Everything is inside the file: the picture is the SVG Graphviz draws, the style and the
small script (click a box to see what it is connected to; type to find a name) are
inline, fonts are the reader's own. Nothing is fetched from the internet, so the page
works offline and on a laptop in a meeting room.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence

import networkx as nx

from chaingraph.export.formats import KIND_STYLES, colour, render_svg
from chaingraph.export.views import Item
from chaingraph.language import pick

TEXT = {
    "en": {
        "intro": {
            "collaboration": "Each box is an organisation. A line between two organisations means they worked "
                             "together: the number on the line counts the cases, agreements and meetings they share "
                             "(a thicker line is more). Click a box to see with whom and on what.",
            "case": "Who held which role in this case. Ovals are roles, coloured like the organisation they "
                    "belong to; hexagons are the phases of the work process, the octagon is the case. An arrow "
                    "shows who owned a phase or was responsible for an instrument, and for which period; red "
                    "lines show handovers and escalations, dashed red lines the agreed escalation lines. "
                    "People appear only by their role.",
            "timeline": "What happened in this case, in order. Each box is an event, a period in which an "
                        "organisation owned a phase, an instrument, or a stretch of time in which a phase had no "
                        "owner (red) or two owners at once (orange). People appear only by their role.",
            "chain": "The chain as a whole: the organisations (boxes), their roles (ovals) and escalation lines "
                     "(dashed red), the agreements between them and the improvement measures of the monitor with "
                     "the organisations that own them.",
        },
        "picture": "Picture", "legend": "Legend", "timeline": "Timeline", "connections": "What connects them",
        "find": "Find a name…", "details": "Click a box in the picture to see its connections here.",
        "date": "date", "until": "until", "what": "what", "lane": "about", "running": "running",
        "privacy": "No personal data: victims, suspects and professionals appear only as their role.",
        "internal": "INTERNAL USE ONLY: this page carries keyed pseudonyms and is not for learning sessions.",
        "made": "Made by chaingraph from the monitor of 14 October 2020 and the example cases (fictional).",
        "line": "line", "thick": "thicker line: more shared cases, agreements and meetings",
        "dashed": "dashed red: agreed escalation line", "red": "red: handover or escalation that happened",
        "gap": "red bar: no owner for the phase; orange bar: two owners at once",
    },
    "nl": {
        "intro": {
            "collaboration": "Elk vak is een organisatie. Een lijn tussen twee organisaties betekent dat ze "
                             "samenwerkten: het getal op de lijn telt de gedeelde casussen, afspraken en overleggen "
                             "(een dikkere lijn is meer). Klik op een vak om te zien met wie en waarover.",
            "case": "Wie welke rol had in deze casus. Ovalen zijn rollen, gekleurd als hun organisatie; "
                    "zeshoeken zijn de fasen van het werkproces, de achthoek is de casus. Een pijl laat zien wie "
                    "eigenaar was van een fase of verantwoordelijk voor een instrument, en in welke periode; "
                    "rode lijnen zijn overdrachten en escalaties, rode stippellijnen de afgesproken "
                    "escalatielijnen. Personen staan er alleen als hun rol in.",
            "timeline": "Wat er in deze casus gebeurde, op volgorde. Elk vak is een gebeurtenis, een periode "
                        "waarin een organisatie eigenaar was van een fase, een instrument, of een periode waarin "
                        "een fase geen eigenaar had (rood) of twee tegelijk (oranje). Personen staan er alleen als hun rol in.",
            "chain": "De keten als geheel: de organisaties (vakken), hun rollen (ovalen) en escalatielijnen "
                     "(rode stippellijnen), de afspraken tussen hen en de verbetermaatregelen uit de monitor met "
                     "de organisaties die ze trekken.",
        },
        "picture": "Plaat", "legend": "Legenda", "timeline": "Tijdlijn", "connections": "Wat hen verbindt",
        "find": "Zoek een naam…", "details": "Klik op een vak in de plaat om hier de verbindingen te zien.",
        "date": "datum", "until": "tot en met", "what": "wat", "lane": "over", "running": "loopt nog",
        "privacy": "Geen persoonsgegevens: slachtoffers, verdachten en professionals staan er alleen als hun rol in.",
        "internal": "ALLEEN INTERN: deze pagina bevat gesleutelde pseudoniemen en is niet voor terugspoelsessies.",
        "made": "Gemaakt door chaingraph uit de monitor van 14 oktober 2020 en de voorbeeldcasussen (fictief).",
        "line": "lijn", "thick": "dikkere lijn: meer gedeelde casussen, afspraken en overleggen",
        "dashed": "rode stippellijn: afgesproken escalatielijn", "red": "rood: overdracht of escalatie die plaatsvond",
        "gap": "rode balk: geen eigenaar voor de fase; oranje balk: twee eigenaren tegelijk",
    },
}

STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #222; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: .2rem 0 .4rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
.privacy { background: #eef6ee; border-left: 4px solid #3a7d44; padding: .4rem .8rem; }
.internal { background: #fde2e2; border-left: 4px solid #b00020; padding: .4rem .8rem; font-weight: bold; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(220px, 1fr); gap: 1rem; align-items: start; }
.picture { border: 1px solid #ddd; border-radius: 6px; overflow: auto; max-height: 80vh; background: #fff; }
.picture svg { display: block; }
.picture g.node { cursor: pointer; }
.picture g.dim { opacity: .18; }
.picture g.hit polygon, .picture g.hit ellipse, .picture g.hit path { stroke: #d0021b; stroke-width: 3px; }
aside { border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; font-size: .92rem; position: sticky; top: .5rem; }
aside input { width: 100%; box-sizing: border-box; padding: .35rem; margin-bottom: .5rem; font-size: 1rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; list-style: none; padding: 0; }
.legend li { display: flex; align-items: center; gap: .4rem; }
.swatch { display: inline-block; width: 1.4em; height: 1em; border: 1px solid #555; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
.dates td:nth-child(-n+2) { white-space: nowrap; }
.tl { position: relative; border: 1px solid #ddd; border-radius: 6px; padding: .5rem .5rem 1.8rem; }
.lane { display: grid; grid-template-columns: 14rem 1fr; align-items: center; min-height: 1.6rem; border-bottom: 1px dashed #eee; }
.lane-name { font-size: .85rem; color: #444; padding-right: .5rem; }
.track { position: relative; height: 1.4rem; }
.bar { position: absolute; top: .2rem; height: 1rem; border-radius: 3px; border: 1px solid #666; min-width: 4px; }
.dot { position: absolute; top: .15rem; width: .9rem; height: .9rem; margin-left: -.45rem; transform: rotate(45deg); border: 1px solid #333; }
.axis { position: absolute; left: 14.5rem; right: .5rem; bottom: .2rem; height: 1.2rem; font-size: .75rem; color: #666; }
.axis span { position: absolute; transform: translateX(-50%); }
footer { margin-top: 2rem; font-size: .8rem; color: #666; }
"""

SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.querySelector(".picture svg");
  var details = document.getElementById("details");
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var groups = {};
  if (svg) {
    svg.querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      if (title) { groups[title.textContent] = g; }
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
      li.textContent = (other ? other.label : pair[0]) + (pair[1] ? " \\u2014 " + pair[1] : "");
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
"""


def _svg_body(svg: str) -> str:
    """Strip the XML prolog, doctype and comments Graphviz writes before ``<svg``."""
    start = svg.find("<svg")
    return re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S) if start >= 0 else svg


def _edge_text(data: dict) -> str:
    text = str(data.get("label", "") or "")
    when = data.get("periods") or data.get("dates") or ""
    return f"{text} {when}".strip()


def _legend(view: nx.Graph, t: dict, lang: str) -> str:
    items = []
    kinds = sorted({d.get("kind", "") for _, d in view.nodes(data=True)} - {"organisation", "role"})
    for node, data in sorted(view.nodes(data=True), key=lambda x: str(x[1].get("label", ""))):
        if data.get("kind") == "organisation":
            name = data.get("name", "")
            text = str(data.get("label", node)) + (f": {name}" if name and name != data.get("label") else "")
            items.append((colour(view, node), text))
    if any(d.get("kind") == "role" for _, d in view.nodes(data=True)):
        style = KIND_STYLES["role"]
        items.append(("#ffffff", style.nl if lang == "nl" else style.en))
    for kind in kinds:
        style = KIND_STYLES.get(kind)
        if style is not None:
            items.append((style.fill, style.nl if lang == "nl" else style.en))
    what = view.graph.get("what")
    lines = [t["thick"]] if what == "collaboration" else [t["dashed"], t["red"]] if what in ("case", "chain") else [t["gap"]]
    rows = [f'<li><span class="swatch" style="background:{html.escape(fill or "#fff")}"></span>{html.escape(text)}</li>'
            for fill, text in items]
    rows += [f"<li>{html.escape(line)}</li>" for line in lines]
    return '<ul class="legend">' + "".join(rows) + "</ul>"


def _timeline(items: Sequence[Item], t: dict) -> str:
    if not items:
        return ""
    first = min(i.start for i in items)
    last = max(max(i.end or i.start, i.start) for i in items)
    span = max((last - first).days, 1)

    def pos(day: dt.date) -> float:
        return round(100 * (day - first).days / span, 2)

    colours = {"case": "#d8e8f8", "instrument": KIND_STYLES["instrument"].fill, "ownership": "#a3d9a5",
               "gap": "#e06666", "overlap": "#f1a340", "event": "#ffd966", "handover": "#c9a0e8", "escalation": "#f4b183"}
    lanes: dict[str, list[Item]] = {}
    for item in items:
        lanes.setdefault(item.lane, []).append(item)
    rows = []
    for lane, members in lanes.items():
        marks = []
        for item in members:
            fill = colours.get(item.kind, "#cccccc")
            tip = html.escape(f"{item.start.isoformat()}{'..' + item.end.isoformat() if item.end and item.end != item.start else ''} {item.label}")
            if item.end == item.start:
                marks.append(f'<span class="dot" title="{tip}" style="left:{pos(item.start)}%;background:{fill}"></span>')
            else:
                width = max(pos(item.end or last) - pos(item.start), 0.4)
                marks.append(f'<span class="bar" title="{tip}" style="left:{pos(item.start)}%;width:{width}%;'
                             f'background:{fill}"></span>')
        rows.append(f'<div class="lane"><div class="lane-name">{html.escape(lane)}</div>'
                    f'<div class="track">{"".join(marks)}</div></div>')
    ticks = sorted({first, last, *(dt.date(y, 1, 1) for y in range(first.year + 1, last.year + 1))})
    if len(ticks) <= 3 and span > 60:
        ticks = sorted({first, last, *(dt.date(first.year + (first.month + k - 1) // 12, (first.month + k - 1) % 12 + 1, 1)
                                       for k in range(1, span // 30 + 1))})
        ticks = [d for d in ticks if first <= d <= last]
        ticks = ticks[:: max(1, len(ticks) // 8)] + ([last] if ticks[-1] != last else [])
    axis = "".join(f'<span style="left:{pos(d)}%">{d.isoformat()}</span>' for d in ticks)
    table = "".join(
        f"<tr><td>{item.start.isoformat()}</td>"
        f"<td>{html.escape(item.end.isoformat() if item.end else t['running']) if item.end != item.start else ''}</td>"
        f"<td>{html.escape(item.label)}</td><td>{html.escape(item.lane)}</td></tr>" for item in items)
    return (f'<div class="tl">{"".join(rows)}<div class="axis">{axis}</div></div>'
            f'<table class="dates"><thead><tr><th>{t["date"]}</th><th>{t["until"]}</th><th>{t["what"]}</th><th>{t["lane"]}</th></tr>'
            f"</thead><tbody>{table}</tbody></table>")


def render_html(view: nx.Graph, items: Sequence[Item] = ()) -> str:
    """Return one self-contained HTML page with the view's picture, a legend and ``items`` as the timeline."""
    lang = view.graph.get("lang", "en")
    t = pick(TEXT, lang)  # type: ignore[arg-type]
    what = view.graph.get("what", "collaboration")
    title = str(view.graph.get("title", what))
    svg = _svg_body(render_svg(view))
    data = {
        "nodes": [{"id": n, "label": str(d.get("label", n)), "name": str(d.get("name", "")), "kind": d.get("kind", "")}
                  for n, d in view.nodes(data=True)],
        "edges": [{"source": u, "target": v, "text": _edge_text(d)} for u, v, d in view.edges(data=True)],
    }
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    connections = "".join(
        f"<tr><td>{html.escape(str(view.nodes[u].get('label', u)))}</td>"
        f"<td>{html.escape(str(view.nodes[v].get('label', v)))}</td><td>{html.escape(_edge_text(d))}</td></tr>"
        for u, v, d in view.edges(data=True) if d.get("kind") not in ("then", "by", "held-at"))
    banner = (f'<p class="internal">{t["internal"]}</p>' if view.graph.get("internal")
              else f'<p class="privacy">{t["privacy"]}</p>')
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{banner}
<p>{html.escape(t["intro"].get(what, ""))}</p>
<h2>{t["picture"]}</h2>
<div class="layout">
<div class="picture" id="picture">{svg}</div>
<aside><input id="find" type="search" placeholder="{html.escape(t["find"])}" aria-label="{html.escape(t["find"])}">
<div id="details">{html.escape(t["details"])}</div></aside>
</div>
<h2>{t["legend"]}</h2>
{_legend(view, t, lang)}
<h2>{t["timeline"]}</h2>
{_timeline(items, t)}
<h2>{t["connections"]}</h2>
<table><tbody>{connections}</tbody></table>
<footer>{html.escape(t["made"])}</footer>
<script type="application/json" id="graph-data">{payload}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
