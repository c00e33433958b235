/* The dashboard's charts (ECharts): a trend per month, a bar chart by crime area and a
   choropleth of the Americas and Europe. The figures come from the JSON endpoint named in
   #dashboard-figures[data-src]; the page already shows them all as tables, so the charts are
   hidden from screen readers and a failure here costs nothing but the pictures. */
(function () {
  "use strict";

  var MAP_NAME = "vinculo-americas-europe";
  var COLOURS = ["#0b5394", "#b35c00", "#2e7d32"];
  var charts = [];
  var mapLoaded = null;

  function disposeAll() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
  }

  function make(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function tooltip(trigger) {
    // richText: drawn in the canvas, so no inline style attributes (the page's CSP forbids them).
    return { trigger: trigger, renderMode: "richText" };
  }

  function drawTrend(data, format) {
    var chart = make("chart-trend");
    if (!chart) { return; }
    var kinds = ["records", "hits", "requests"];
    chart.setOption({
      color: COLOURS,
      animation: false,
      tooltip: tooltip("axis"),
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: data.months.map(function (m) { return m.label; }) },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: format } },
      series: kinds.map(function (kind) {
        return {
          name: data.labels[kind],
          type: "line",
          smooth: false,
          symbolSize: 6,
          data: data.months.map(function (m) { return m[kind]; })
        };
      })
    });
  }

  function drawMarkets(data, format) {
    var element = document.getElementById("chart-markets");
    if (!element) { return; }
    element.classList.add("rows-" + Math.min(data.markets.length, 12));
    var chart = make("chart-markets");
    var kinds = ["records", "hits", "requests"];
    var rows = data.markets.slice().reverse();
    chart.setOption({
      color: COLOURS,
      animation: false,
      tooltip: tooltip("axis"),
      legend: { top: 0 },
      grid: { left: 16, right: 24, top: 40, bottom: 16, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: format } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: kinds.map(function (kind) {
        return {
          name: data.labels[kind],
          type: "bar",
          data: rows.map(function (r) { return r[kind]; })
        };
      })
    });
  }

  // The atlas cuts polygons at the antimeridian (a ring jumping from 180 to -180), which draws
  // stripes across a flat map; and Russia reaches 180°E. Rings that jump are moved to the side
  // where most of their points lie, then every polygon is clipped to the map's longitudes
  // (Sutherland-Hodgman against one vertical line at a time).
  var WEST = -170;
  var EAST = 60;

  function unwrap(ring) {
    var jumps = ring.some(function (p, i) { return i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180; });
    if (!jumps) { return ring; }
    var western = ring.filter(function (p) { return p[0] < 0; }).length * 2 > ring.length;
    return ring.map(function (p) {
      if (western && p[0] > 0) { return [p[0] - 360, p[1]]; }
      if (!western && p[0] < 0) { return [p[0] + 360, p[1]]; }
      return p;
    });
  }

  function clipRing(ring, x0, keepBelow) {
    var out = [];
    function inside(p) { return keepBelow ? p[0] <= x0 : p[0] >= x0; }
    function cross(a, b) {
      var t = (x0 - a[0]) / (b[0] - a[0]);
      return [x0, a[1] + t * (b[1] - a[1])];
    }
    for (var i = 0; i < ring.length; i++) {
      var current = ring[i];
      var previous = ring[(i + ring.length - 1) % ring.length];
      if (inside(current)) {
        if (!inside(previous)) { out.push(cross(previous, current)); }
        out.push(current);
      } else if (inside(previous)) {
        out.push(cross(previous, current));
      }
    }
    return out;
  }

  function clipGeometry(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var kept = [];
    polygons.forEach(function (polygon) {
      var rings = polygon
        .map(function (ring) { return clipRing(clipRing(unwrap(ring), WEST, false), EAST, true); })
        .filter(function (ring) { return ring.length >= 3; });
      if (rings.length && polygon.length) { kept.push(rings); }
    });
    return kept.length ? { type: "MultiPolygon", coordinates: kept } : null;
  }

  function loadMap(ids) {
    if (!mapLoaded) {
      mapLoaded = fetch("/static/vendor/countries-110m.json", { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (topology) {
          var collection = window.topojson.feature(topology, topology.objects.countries);
          // The atlas names countries by ISO numeric id; keep those of the Americas and Europe,
          // named by their alpha-2 code as the figures are.
          var features = [];
          collection.features.forEach(function (f) {
            if (f.id === undefined || !ids[f.id] || !f.geometry) { return; }
            var geometry = clipGeometry(f.geometry);
            if (geometry) {
              features.push({ type: "Feature", geometry: geometry, properties: { name: ids[f.id] } });
            }
          });
          window.echarts.registerMap(MAP_NAME, { type: "FeatureCollection", features: features });
        });
    }
    return mapLoaded;
  }

  function drawMap(data, format) {
    if (!document.getElementById("chart-map") || !window.topojson) { return Promise.resolve(); }
    return loadMap(data.map.ids).then(function () {
      var chart = make("chart-map");
      if (!chart) { return; }
      var names = data.map.names;
      var values = data.countries
        .filter(function (c) { return names[c.key]; })
        .map(function (c) { return { name: c.key, value: c.records }; });
      var highest = values.reduce(function (m, v) { return Math.max(m, v.value); }, 0);
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          renderMode: "richText",
          formatter: function (p) {
            var value = typeof p.value === "number" && !isNaN(p.value) ? p.value : 0;
            return (names[p.name] || p.name) + ": " + format(value);
          }
        },
        visualMap: {
          min: 0,
          max: Math.max(highest, 1),
          left: 8,
          bottom: 8,
          calculable: false,
          text: [format(Math.max(highest, 1)), format(0)],
          inRange: { color: ["#dfe9f5", "#0b5394"] }
        },
        series: [{
          name: data.labels.map,
          type: "map",
          map: MAP_NAME,
          roam: false,
          itemStyle: { areaColor: "#f0f1f3", borderColor: "#8a93a0", borderWidth: 0.5 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f1a208" } },
          select: { disabled: true },
          data: values
        }]
      });
    });
  }

  function draw() {
    var root = document.getElementById("dashboard-figures");
    disposeAll();
    document.documentElement.setAttribute("data-charts", "drawing");
    if (!root || !window.echarts || !document.getElementById("chart-trend")) { return; }
    fetch(root.getAttribute("data-src"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("figures: HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var numbers = new Intl.NumberFormat(data.locale);
        var format = function (value) { return numbers.format(value); };
        drawTrend(data, format);
        drawMarkets(data, format);
        return drawMap(data, format);
      })
      .then(function () { document.documentElement.setAttribute("data-charts", "drawn"); })
      .catch(function (error) {
        document.documentElement.setAttribute("data-charts", "failed");
        if (window.console) { window.console.warn(error); }
      });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target;
    if (target && target.id === "dashboard-figures") { draw(); }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
