// Entity profile: the small link chart (cytoscape, from this page's graph.json) and the map of
// places (ECharts with the world-atlas countries). Both are pictures of lists that the page also
// shows as text, so a failure here loses nothing.
(function () {
  "use strict";

  var COLOURS = { full: "#0b5394", released: "#8a6100", hit_only: "#5a6472", none: "#5a6472" };

  function linkChart(box) {
    if (typeof cytoscape === "undefined") return;
    fetch(box.dataset.graph, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (graph) {
        if (!graph) return;
        var elements = [];
        graph.nodes.forEach(function (node) {
          elements.push({ data: { id: node.id, label: node.label, view: node.view, root: node.root ? 1 : 0 } });
        });
        graph.edges.forEach(function (edge) {
          elements.push({ data: { id: edge.id, source: edge.source, target: edge.target, label: edge.label } });
        });
        var chart = cytoscape({
          container: box,
          elements: elements,
          userZoomingEnabled: true,
          layout: { name: graph.nodes.length > 12 ? "circle" : "concentric", concentric: function (n) { return n.data("root") ? 2 : 1; }, minNodeSpacing: 40, animate: false },
          style: [
            { selector: "node", style: {
              "background-color": function (n) { return COLOURS[n.data("view")] || COLOURS.none; },
              label: "data(label)", "font-size": 11, "text-wrap": "ellipsis", "text-max-width": 140,
              "text-valign": "bottom", "text-margin-y": 4, color: "#1b2430", width: 22, height: 22 } },
            { selector: "node[root = 1]", style: { width: 34, height: 34, "border-width": 3, "border-color": "#f1a208" } },
            { selector: "edge", style: {
              width: 1.5, "line-color": "#8a93a0", "target-arrow-color": "#8a93a0",
              "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)",
              "font-size": 9, color: "#5a6472", "text-rotation": "autorotate" } }
          ]
        });
        chart.on("tap", "node", function (event) {
          var id = event.target.id();
          if (!event.target.data("root")) window.location.href = "/entities/" + encodeURIComponent(id);
        });
      })
      .catch(function () { /* the table lists the same links */ });
  }

  function placeMap(box) {
    if (typeof echarts === "undefined" || typeof topojson === "undefined") return;
    var places = JSON.parse(box.dataset.places || "[]");
    fetch(box.dataset.atlas, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (atlas) {
        var world = topojson.feature(atlas, atlas.objects.countries);
        echarts.registerMap("world", world);
        var byId = {};
        world.features.forEach(function (feature) { byId[feature.id] = feature.properties.name; });
        var data = [];
        places.forEach(function (place) {
          place.numeric.forEach(function (code) {
            if (byId[code]) data.push({ name: byId[code], value: place.count, label: place.name });
          });
        });
        var max = data.reduce(function (m, d) { return Math.max(m, d.value); }, 1);
        var chart = echarts.init(box, null, { renderer: "svg" });
        chart.setOption({
          animation: false,
          tooltip: { trigger: "item", formatter: function (p) { return p.data ? p.data.label + ": " + p.data.value : p.name; } },
          visualMap: { show: false, min: 0, max: max, inRange: { color: ["#c6dbef", "#0b5394"] } },
          series: [{ type: "map", map: "world", roam: true, data: data, emphasis: { label: { show: false } },
                     itemStyle: { areaColor: "#eceff3", borderColor: "#ffffff" } }]
        });
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function () { /* the list names the same countries */ });
  }

  function start() {
    var chart = document.getElementById("link-chart");
    if (chart) linkChart(chart);
    var map = document.getElementById("place-map");
    if (map) placeMap(map);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
