/* The link chart (cytoscape). Data comes from /chart/network.json (load and expand) and the
   POST routes /chart/analysis.json and /chart/path.json; every one builds the network through
   the sharing policy on the server, so what arrives here is already what the user may see
   (hit-only records as placeholders). Words come from #chart-texts (translated by the page);
   the page's CSP forbids inline styles and scripts, so nothing here writes style attributes.
   Communities can be drawn as boxes (compound parent nodes of class "community-box"): those are
   not records, so every use of "the chart's nodes" below goes through entities(). */
(function () {
  "use strict";

  var PALETTE = ["#0b5394", "#b35c00", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41",
                 "#ad1457", "#37474f", "#9e9d24", "#283593", "#ef6c00"];
  var container = document.getElementById("chart");
  if (!container || !window.cytoscape) { return; }
  var texts = document.getElementById("chart-texts").dataset;
  var KINDS = JSON.parse(texts.kinds);
  var VIEWS = JSON.parse(texts.views);
  var MARKETS = JSON.parse(texts.markets);
  var SCHEMATA = JSON.parse(texts.schemata);
  var LABELS = JSON.parse(texts.labels);
  var MESSAGES = JSON.parse(texts.messages);
  var status = document.getElementById("chart-status");
  var details = document.getElementById("chart-details");
  var nodeList = document.getElementById("chart-nodes");
  var data = container.dataset;
  var maxNodes = parseInt(data.max, 10) || 2000;
  var seeds = data.ids.split(",").filter(Boolean);
  var measures = {};
  var communities = {};
  var saved = JSON.parse(data.workspace || "{}");
  var notes = saved.notes || {};
  var pinnedAt = saved.pinned || {};
  var grouped = false;

  function format(text, values) {
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("%(" + name + ")s").join(String(values[name]));
    });
    return text;
  }

  function say(key, values) {
    status.textContent = format(MESSAGES[key] || key, values);
  }

  var cy = window.cytoscape({
    container: container,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 2,
    boxSelectionEnabled: true,
    // Large charts: draw a cached picture while panning and zooming, and no tiny labels.
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    pixelRatio: 1,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
        "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "text-wrap": "ellipsis", "text-max-width": 120, "color": "#1b1f24",
        "text-background-color": "#ffffff", "text-background-opacity": 0.7,
        "min-zoomed-font-size": 7 } },
      { selector: "node.placeholder", style: {
        "shape": "round-rectangle", "border-width": 2, "border-style": "dashed",
        "border-color": "#1b1f24", "background-opacity": 0.35 } },
      { selector: "node.identifier", style: { "shape": "diamond" } },
      { selector: "node.seed", style: { "border-width": 3, "border-color": "#1b1f24" } },
      { selector: "node.pinned", style: { "border-width": 4, "border-color": "#b35c00" } },
      { selector: "node.key-player", style: { "border-width": 5, "border-color": "#c62828" } },
      { selector: "node:selected", style: {
        "overlay-color": "#0b5394", "overlay-opacity": 0.25, "overlay-padding": 6 } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#8a93a0", "curve-style": "bezier",
        "target-arrow-color": "#8a93a0", "font-size": 8, "color": "#4a535e" } },
      { selector: "edge.directed", style: { "target-arrow-shape": "triangle" } },
      { selector: "edge.same-as", style: { "line-style": "dashed", "line-color": "#0b5394" } },
      { selector: "edge:selected", style: { "width": 4, "line-color": "#0b5394" } },
      { selector: "edge.on-path", style: {
        "line-color": "#c62828", "target-arrow-color": "#c62828", "width": 4 } },
      // Not "width" on nodes: that is their size, and would squash them to 4 pixels.
      { selector: "node.on-path", style: { "border-width": 4, "border-color": "#c62828" } },
      { selector: "node.community-box", style: {
        "shape": "round-rectangle", "background-color": "#f3f6fa", "background-opacity": 1,
        "border-width": 2, "border-color": "#5b6570", "border-style": "solid", "padding": 18,
        "label": "data(label)", "text-valign": "top", "text-halign": "center",
        "text-margin-y": -4, "font-size": 13, "font-weight": "bold", "color": "#1b1f24",
        "text-background-opacity": 0, "min-zoomed-font-size": 5 } }
    ]
  });
  window.vinculoChart = cy; // for the browser tests and the benchmark

  // The records on the chart: every node but the community boxes.
  function entities() { return cy.nodes().not(".community-box"); }

  // What a node's colour stands for, in words, for the legend of an exported picture.
  function colourWords(node) {
    var choice = document.getElementById("chart-colour").value;
    if (choice === "community") {
      var number = communities[node.id()];
      return number === undefined ? "—" : format(LABELS.box_legend, { number: number });
    }
    if (choice === "view") { return VIEWS[node.data("view")] || node.data("view"); }
    if (choice === "schema") { return SCHEMATA[node.data("schema")] || node.data("schema"); }
    return node.data("agency") || VIEWS.identifier;
  }

  function colourKey(node) {
    var choice = document.getElementById("chart-colour").value;
    if (choice === "community") { return String(communities[node.id()]); }
    if (choice === "schema") { return node.data("schema"); }
    if (choice === "view") { return node.data("view"); }
    return node.data("agency") || "";
  }

  function recolour() {
    var keys = {};
    var next = 0;
    cy.batch(function () {
      entities().forEach(function (node) {
        var key = colourKey(node);
        if (!(key in keys)) { keys[key] = PALETTE[next++ % PALETTE.length]; }
        node.data("colour", keys[key]);
      });
    });
  }

  function resize() {
    var measure = document.getElementById("chart-size").value;
    var values = entities().map(function (n) { return (measures[n.id()] || {})[measure] || 0; });
    var top = Math.max.apply(null, values.concat([0]));
    cy.batch(function () {
      entities().forEach(function (node) {
        var value = (measures[node.id()] || {})[measure] || 0;
        node.data("size", measure && top > 0 ? 14 + 36 * Math.sqrt(value / top) : 22);
      });
    });
  }

  function refreshTimeline() {
    var body = document.querySelector("#chart-timeline tbody");
    if (!body) { return; }
    body.textContent = "";
    var dated = cy.edges().filter(function (e) { return !!(e.data("start") || e.data("end")); });
    dated.sort(function (a, b) {
      return (a.data("start") || a.data("end")).localeCompare(b.data("start") || b.data("end"));
    }).forEach(function (edge) {
      var tr = document.createElement("tr");
      var d = edge.data();
      var cells = [
        [d.start, d.end].filter(Boolean).join(" – "),
        KINDS[d.family] || d.kind,
        edge.source().data("label"),
        edge.target().data("label"),
        d.agency || ""
      ];
      cells.forEach(function (text, index) {
        var td = document.createElement("td");
        if (index === 1) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "link-button";
          button.textContent = text;
          button.addEventListener("click", function () {
            cy.elements().unselect();
            edge.select();
            cy.center(edge);
          });
          td.appendChild(button);
        } else {
          td.textContent = text;
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function refreshList() {
    refreshTimeline();
    var selected = {};
    cy.nodes(":selected").forEach(function (n) { selected[n.id()] = true; });
    nodeList.textContent = "";
    entities().sort(function (a, b) {
      return a.data("label").localeCompare(b.data("label"));
    }).forEach(function (node) {
      var option = document.createElement("option");
      option.value = node.id();
      option.textContent = node.data("label") + " · " + (node.data("agency") || "");
      option.selected = !!selected[node.id()];
      nodeList.appendChild(option);
    });
  }

  function add(network) {
    var added = cy.collection();
    cy.batch(function () {
      (network.nodes || []).forEach(function (n) {
        if (cy.getElementById(n.id).length) { return; }
        var classes = [];
        if (n.placeholder) { classes.push("placeholder"); }
        if (n.view === "identifier") { classes.push("identifier"); }
        if (seeds.indexOf(n.id) >= 0) { classes.push("seed"); }
        var node = cy.add({ group: "nodes", data: Object.assign({}, n, {
          size: 22, colour: PALETTE[0], label: n.label || n.id }), classes: classes.join(" ") });
        added = added.union(node);
      });
      (network.edges || []).forEach(function (e) {
        if (cy.getElementById(e.id).length) { return; }
        if (!cy.getElementById(e.source).length || !cy.getElementById(e.target).length) { return; }
        var classes = [];
        if (e.directed) { classes.push("directed"); }
        if (e.kind === "same_as") { classes.push("same-as"); }
        cy.add({ group: "edges", data: e, classes: classes.join(" ") });
      });
    });
    recolour();
    resize();
    refreshList();
    return added;
  }

  function preset(positions, only) {
    var started = performance.now();
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var p = positions[node.id()];
        if (p && !node.locked()) { node.position({ x: p[0], y: p[1] }); }
      });
    });
    cy.fit(undefined, 30);
    container.dataset.layoutMs = String(Math.round(performance.now() - started));
    container.dataset.ready = "true";
  }

  function layout(only, positions) {
    var name = document.getElementById("chart-layout").value;
    if (name === "server") {
      if (positions) { preset(positions, only); return; }
      var asked = { ids: allIds(), analysis: "layout" };
      // Grouped: the server keeps each community together, so that the boxes do not overlap.
      if (grouped) { asked.groups = boxedCommunities(); }
      postJSON("/chart/analysis.json", asked).then(function (r) {
        preset(r.positions, only);
      });
      return;
    }
    var options = { name: name, animate: false, fit: !only, padding: 30 };
    if (grouped && name === "cose") { options.nestingFactor = 0.8; options.nodeOverlap = 8; }
    if (name === "breadthfirst" || name === "concentric") { options.roots = cy.nodes(".seed"); }
    if (name === "cose") {
      options.randomize = !only;
      options.numIter = cy.nodes().length > 800 ? 300 : 1000;
      options.nodeRepulsion = function () { return 8000; };
    }
    var started = performance.now();
    // cose understands compound nodes; the others would place a box as if it were a record, so
    // they arrange the records and the boxes follow their members.
    var run = (name === "cose" ? cy.elements() : cy.elements().not(".community-box"))
      .layout(options);
    run.one("layoutstop", function () {
      container.dataset.layoutMs = String(Math.round(performance.now() - started));
      container.dataset.ready = "true";
    });
    run.run();
  }

  function query(extra) {
    var params = new URLSearchParams();
    ["schema", "market", "agency", "country", "kind", "start", "end"].forEach(function (key) {
      if (data[key]) { params.set(key, data[key]); }
    });
    Object.keys(extra).forEach(function (key) { params.set(key, extra[key]); });
    return params.toString();
  }

  function failed(response) {
    say("failed", { status: response.status });
    throw new Error(String(response.status));
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : failed(r); });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": data.csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : failed(r); });
  }

  var light = false;
  function loaded(network) {
    var added = add(network);
    if (!light && cy.nodes().length > 500) {
      // Straight, arrowless edges draw several times faster: what keeps a big chart responsive.
      light = true;
      cy.style().selector("edge").style({ "curve-style": "haystack", "haystack-radius": 0 })
        .update();
    }
    if (network.truncated || entities().length >= maxNodes) { say("truncated", { max: maxNodes }); }
    return added;
  }

  function selectedIds() {
    return cy.nodes(":selected").map(function (n) { return n.id(); });
  }

  function expand(ids) {
    if (!ids.length) { say("select"); return; }
    say("working");
    var before = entities().length;
    getJSON("/chart/network.json?" + query({ ids: ids.join(","), depth: 1 })).then(function (net) {
      var added = loaded(net);
      if (added.length) {
        // New nodes start next to what they were expanded from, then the layout settles them.
        var origin = cy.getElementById(ids[0]).position();
        added.positions(function () {
          return { x: origin.x + (Math.random() - 0.5) * 120, y: origin.y + (Math.random() - 0.5) * 120 };
        });
        if (grouped) { group(true); } else { layout(true); }
      }
      if (!net.truncated) { say("expanded", { count: entities().length - before }); }
    });
  }

  function collapse() {
    var chosen = cy.nodes(":selected");
    if (!chosen.length) { say("select"); return; }
    // Neighbours that hang on the selection alone go; seeds, pinned nodes and the rest stay.
    var gone = chosen.neighborhood("node").not(".community-box").filter(function (n) {
      return !n.selected() && !n.hasClass("seed") && !n.hasClass("pinned") &&
        n.neighborhood("node").difference(chosen).length === 0;
    });
    gone.remove();
    relabelBoxes();
    refreshList();
    say("collapsed", { count: gone.length });
  }

  function togglePin() {
    var chosen = cy.nodes(":selected");
    if (!chosen.length) { say("select"); return; }
    chosen.forEach(function (node) {
      if (node.hasClass("pinned")) { node.removeClass("pinned"); node.unlock(); }
      else { node.addClass("pinned"); node.lock(); }
    });
    say("pinned", { count: chosen.length });
  }

  function findPath() {
    var ids = selectedIds();
    if (ids.length !== 2) { say("needtwo"); return; }
    say("working");
    cy.elements().removeClass("on-path");
    postJSON("/chart/path.json", {
      ids: [], source: ids[0], target: ids[1],
      time: document.getElementById("chart-path-time").checked
    }).then(function (result) {
      if (!result.paths.length) { say("nopath"); container.dataset.path = "none"; return; }
      var added = add({ nodes: result.nodes, edges: result.edges });
      var path = result.paths[0];
      path.nodes.forEach(function (id) { cy.getElementById(id).addClass("on-path"); });
      path.edges.forEach(function (id) { cy.getElementById(id).addClass("on-path"); });
      if (added.length) { layout(true); }
      container.dataset.path = path.nodes.join(",");
      say("path", { links: path.edges.length });
    });
  }

  function allIds() { return entities().map(function (n) { return n.id(); }); }

  function withMeasures(then) {
    say("working");
    postJSON("/chart/analysis.json", { ids: allIds(), analysis: "metrics" }).then(function (r) {
      measures = r.nodes;
      then();
      say("loaded", { nodes: entities().length, links: cy.edges().length });
    });
  }

  function withCommunities() {
    say("working");
    postJSON("/chart/analysis.json", { ids: allIds(), analysis: "communities" }).then(function (r) {
      communities = r.membership;
      recolour();
      say("communities", { count: r.count, modularity: r.modularity.toFixed(3) });
    });
  }

  // Communities as boxes: one compound parent per community of two or more, labelled with its
  // number and size. Path highlighting, expansion and the analyses work on the records only.
  function boxedCommunities() {
    var out = {};
    entities().forEach(function (n) {
      if (n.isChild()) { out[n.id()] = n.parent().data("community"); }
    });
    return out;
  }

  function relabelBoxes() {
    cy.batch(function () {
      cy.nodes(".community-box").forEach(function (box) {
        var size = box.children().length;
        if (!size) { box.remove(); return; }
        box.data("label", format(LABELS.box_title, { number: box.data("community"), count: size }));
      });
    });
  }

  function unboxAll() {
    cy.batch(function () {
      entities().forEach(function (n) { if (n.isChild()) { n.move({ parent: null }); } });
      cy.nodes(".community-box").remove();
    });
  }

  function showGrouping() {
    var button = document.getElementById("chart-group");
    button.setAttribute("aria-pressed", grouped ? "true" : "false");
    button.textContent = grouped ? button.dataset.ungroup : button.dataset.group;
    container.dataset.grouped = grouped ? "true" : "";
  }

  // keepPlaces: after an expansion, whose own message stays on the status line.
  function group(keepPlaces) {
    if (!keepPlaces) { say("working"); }
    container.dataset.ready = "";
    postJSON("/chart/analysis.json", { ids: allIds(), analysis: "communities" }).then(function (r) {
      communities = r.membership;
      var sizes = {};
      Object.keys(communities).forEach(function (id) {
        var c = communities[id];
        sizes[c] = (sizes[c] || 0) + 1;
      });
      unboxAll();
      var boxes = 0;
      cy.batch(function () {
        Object.keys(sizes).forEach(function (c) {
          if (sizes[c] < 2) { return; } // a box around one node says nothing
          boxes += 1;
          cy.add({ group: "nodes", classes: "community-box", selectable: false,
                   data: { id: "community-box-" + c, community: Number(c), size: 22,
                           colour: "#f3f6fa", label: "" } });
        });
        entities().forEach(function (n) {
          var box = cy.getElementById("community-box-" + communities[n.id()]);
          if (box.length) { n.move({ parent: box.id() }); }
        });
      });
      relabelBoxes();
      grouped = true;
      showGrouping();
      if (document.getElementById("chart-colour").value === "community") { recolour(); }
      layout(!!keepPlaces);
      if (!keepPlaces) { say("grouped", { count: boxes, modularity: r.modularity.toFixed(3) }); }
    });
  }

  function ungroup() {
    unboxAll();
    grouped = false;
    showGrouping();
    layout(false);
    say("ungrouped");
  }

  function keyPlayers() {
    say("working");
    postJSON("/chart/analysis.json", { ids: allIds(), analysis: "keyplayers", k: 3 }).then(function (r) {
      cy.nodes().removeClass("key-player");
      var names = r.players.map(function (id) {
        var node = cy.getElementById(id).addClass("key-player");
        return node.data("label");
      });
      say("keyplayers", { names: names.join(", "), before: r.fragmentation_before.toFixed(2),
                          after: r.fragmentation_after.toFixed(2) });
    });
  }

  function row(list, label, value) {
    if (value === null || value === undefined || value === "" ||
        (Array.isArray(value) && !value.length)) { return; }
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    if (value instanceof Node) { dd.appendChild(value); } else {
      dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
    }
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function show(element) {
    details.textContent = "";
    var heading = document.createElement("h3");
    var list = document.createElement("dl");
    var d = element.data();
    if (element.isNode()) {
      heading.textContent = d.label;
      row(list, LABELS.schema, SCHEMATA[d.schema] || d.schema);
      row(list, LABELS.agency, d.agency);
      row(list, LABELS.country, d.country);
      row(list, LABELS.view, VIEWS[d.view] || d.view);
      row(list, LABELS.markets, d.markets && [].concat(d.markets).map(function (m) {
        return MARKETS[m] || m; }));
      row(list, LABELS.handling, d.handling_code ? d.handling_code +
          (d.handling_text ? " — " + d.handling_text : "") : null);
      row(list, LABELS.contact, d.contact_point);
      var m = measures[d.id];
      if (m) { row(list, LABELS.measure, Object.keys(m).map(function (k) {
        return k + " " + (Math.round(m[k] * 1000) / 1000); })); }
      if (d.id in communities) { row(list, LABELS.community, communities[d.id]); }
      if (element.isChild()) { row(list, LABELS.box, element.parent().data("label")); }
      details.appendChild(heading);
      details.appendChild(list);
      if (d.view === "identifier") { return; }
      var actions = document.createElement("p");
      actions.appendChild(link("/entities/" + encodeURIComponent(d.id), LABELS.profile));
      if (d.placeholder) {
        actions.appendChild(document.createTextNode(" · "));
        actions.appendChild(link("/requests/new?entity=" + encodeURIComponent(d.id), LABELS.request));
        actions.className = "placeholder-note";
      }
      details.appendChild(actions);
      var noteLabel = document.createElement("label");
      noteLabel.htmlFor = "chart-note";
      noteLabel.textContent = LABELS.note;
      var note = document.createElement("textarea");
      note.id = "chart-note";
      note.maxLength = 2000;
      note.value = notes[d.id] || "";
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "secondary";
      keep.textContent = LABELS.keepnote;
      keep.addEventListener("click", function () {
        if (note.value.trim()) { notes[d.id] = note.value.trim(); } else { delete notes[d.id]; }
      });
      details.appendChild(noteLabel);
      details.appendChild(note);
      details.appendChild(keep);
    } else {
      heading.textContent = KINDS[d.family] || d.kind;
      row(list, LABELS.kind, d.kind);
      row(list, LABELS.record, d.record);
      row(list, LABELS.agency, d.agency);
      row(list, LABELS.dates, [d.start, d.end].filter(Boolean).join(" – "));
      row(list, LABELS.amount, d.amount ? d.amount.toLocaleString(document.documentElement.lang) : null);
      row(list, LABELS.handling, d.handling_code);
      if (d.hit) { row(list, LABELS.hit, link("/hits/" + encodeURIComponent(d.hit), LABELS.openhit)); }
      details.appendChild(heading);
      details.appendChild(list);
    }
  }

  cy.on("dbltap", "node", function (event) { expand([event.target.id()]); });
  var syncing = false;
  var syncQueued = false;
  cy.on("select unselect", function () {
    // Selecting two thousand nodes fires two thousand events: bring the list and the panel up
    // to date once, after the last of them.
    if (syncing || syncQueued) { return; }
    syncQueued = true;
    setTimeout(function () {
      syncQueued = false;
      var chosen = cy.elements(":selected");
      if (chosen.length) { show(chosen[chosen.length - 1]); }
      Array.prototype.forEach.call(nodeList.options, function (o) {
        o.selected = cy.getElementById(o.value).selected();
      });
    }, 0);
  });
  nodeList.addEventListener("change", function () {
    // Read the list's choice whole before touching the chart: each select event on the chart
    // would otherwise write its own state back into the options still to be read.
    var wanted = {};
    Array.prototype.forEach.call(nodeList.selectedOptions, function (o) { wanted[o.value] = true; });
    syncing = true;
    try {
      entities().forEach(function (node) {
        if (wanted[node.id()]) { node.select(); } else { node.unselect(); }
      });
    } finally { syncing = false; }
    var chosen = cy.nodes(":selected");
    if (chosen.length) { show(chosen[chosen.length - 1]); }
  });
  nodeList.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); expand(selectedIds()); }
  });
  container.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === "+") { event.preventDefault(); expand(selectedIds()); }
    else if (event.key === "-") { event.preventDefault(); collapse(); }
    else if (event.key === "p") { event.preventDefault(); togglePin(); }
  });
  document.getElementById("chart-expand").addEventListener("click", function () { expand(selectedIds()); });
  document.getElementById("chart-collapse").addEventListener("click", collapse);
  document.getElementById("chart-pin").addEventListener("click", togglePin);
  document.getElementById("chart-remove").addEventListener("click", function () {
    entities().filter(":selected").remove();
    relabelBoxes();
    refreshList();
  });
  document.getElementById("chart-path").addEventListener("click", findPath);
  document.getElementById("chart-keyplayers").addEventListener("click", keyPlayers);
  document.getElementById("chart-relayout").addEventListener("click", function () { layout(false); });
  document.getElementById("chart-colour").addEventListener("change", function (event) {
    if (event.target.value === "community") { withCommunities(); } else { recolour(); }
  });
  document.getElementById("chart-size").addEventListener("change", function (event) {
    if (event.target.value) { withMeasures(resize); } else { resize(); }
  });
  document.getElementById("chart-group").addEventListener("click", function () {
    if (grouped) { ungroup(); } else { group(false); }
  });
  document.getElementById("chart-export").addEventListener("submit", function () {
    // The file holds the chart as it stands; the server rebuilds it through the policy. An SVG
    // is drawn where the page shows each node, in the colour it shows it in.
    document.getElementById("chart-export-ids").value = allIds().join(",");
    var positions = {};
    var colours = {};
    var legend = {};
    entities().forEach(function (n) {
      var p = n.position();
      positions[n.id()] = [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10];
      colours[n.id()] = n.data("colour");
      legend[n.data("colour")] = colourWords(n);
    });
    document.getElementById("chart-export-layout").value = JSON.stringify({
      positions: positions, colours: colours, legend: legend
    });
  });
  document.getElementById("chart-save").addEventListener("submit", function () {
    var pinned = {};
    cy.nodes(".pinned").forEach(function (n) { pinned[n.id()] = [n.position("x"), n.position("y")]; });
    document.getElementById("chart-save-state").value = JSON.stringify({
      ids: allIds(), pinned: pinned, notes: notes
    });
  });
  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // The picture with its marking above it (handling codes, who exported it, when). The image is
  // decoded from the blob itself: the page's CSP lets no data: or blob: URL into an <img>.
  function markedPicture(marking) {
    var blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
    return window.createImageBitmap(blob).then(function (image) {
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d");
      var font = "26px sans-serif";
      var width = Math.max(image.width, 1400);
      ctx.font = font;
      var lines = [];
      marking.marking.forEach(function (line, index) {
        var words = line.split(" ");
        var current = "";
        words.forEach(function (word) {
          var next = current ? current + " " + word : word;
          if (current && ctx.measureText(next).width > width - 48) {
            lines.push([current, index]);
            current = word;
          } else { current = next; }
        });
        lines.push([current, index]);
      });
      var bannerHeight = 24 + 36 * lines.length;
      canvas.width = width;
      canvas.height = bannerHeight + image.height;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = marking.strict ? "#fdecea" : "#eef3f8";
      ctx.fillRect(0, 0, width, bannerHeight - 8);
      ctx.strokeStyle = marking.strict ? "#c62828" : "#0b5394";
      ctx.lineWidth = 4;
      ctx.strokeRect(2, 2, width - 4, bannerHeight - 12);
      ctx.fillStyle = "#1b1f24";
      lines.forEach(function (item, number) {
        ctx.font = (item[1] === 0 ? "bold " : "") + font;
        ctx.fillText(item[0], 24, 40 + 36 * number);
      });
      ctx.drawImage(image, 0, bannerHeight);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    });
  }

  document.getElementById("chart-png").addEventListener("click", function () {
    say("working");
    var judicial = document.getElementById("chart-judicial").checked;
    fetch("/chart/export/image", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": data.csrf },
      body: JSON.stringify({ ids: allIds(), judicial: judicial })
    }).then(function (r) {
      if (r.status === 403 && judicial) { say("judicial"); throw new Error("403"); }
      return r.ok ? r.json() : failed(r);
    }).then(markedPicture).then(function (blob) {
      download(blob, "vinculo-chart.png");
      container.dataset.exported = "png";
      say("exportedpng");
    }).catch(function () { /* already said */ });
  });

  var first = { ids: seeds.join(","), depth: data.depth };
  if (document.getElementById("chart-layout").value === "server") { first.layout = "true"; }
  // A saved workspace: its records as they stand now (POST: too many ids for a URL).
  var loading = data.closed ? postJSON("/chart/analysis.json", { ids: seeds, analysis: "network" })
    : getJSON("/chart/network.json?" + query(first));
  loading
    .then(function (net) {
      loaded(net);
      Object.keys(pinnedAt).forEach(function (id) {
        var node = cy.getElementById(id);
        if (node.length) {
          node.position({ x: pinnedAt[id][0], y: pinnedAt[id][1] });
          node.addClass("pinned");
          node.lock();
        }
      });
      layout(false, net.positions);
      if (!net.truncated) { say("loaded", { nodes: entities().length, links: cy.edges().length }); }
    });
})();
