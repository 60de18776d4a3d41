/* mkdocs-livebench charts.
 *
 * Draws every .lb-chart from the JSON in its data-lb-figure attribute (parsed with JSON.parse: no record
 * text is ever evaluated) with the plotly.js bundle this site serves from assets/livebench/ (never a CDN).
 * plotly.js is fetched only by pages that have charts, and once per page load, even when Material's
 * instant navigation re-runs this file.
 *
 * Draws on load and after instant navigation (Material's document$), re-themes on the light/dark palette
 * toggle (data-md-color-scheme on <body>), and resizes a chart when it becomes visible or changes width
 * (a content tab opening, a <details> unfolding, the window resizing).
 */
(function () {
  "use strict";

  if (window.livebenchCharts) {  // instant navigation re-runs the script: keep one instance
    window.livebenchCharts.drawAll();
    return;
  }

  var self = document.currentScript;
  var plotlyUrl = self && self.src ? new URL("plotly.min.js", self.src).href : null;
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlyUrl;
        s.async = true;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = function () {
          loading = null;
          reject(new Error("livebench: could not load " + plotlyUrl));
        };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  // -- theme: Material's CSS variables, resolved to plain colours Plotly understands ---------------
  function resolveColor(cssVar, fallback) {
    var probe = document.createElement("span");
    probe.style.display = "none";
    probe.style.color = "var(" + cssVar + ", " + fallback + ")";
    document.body.appendChild(probe);
    var color = getComputedStyle(probe).color;
    probe.remove();
    return color || fallback;
  }

  function themeUpdate(layout) {
    var fg = resolveColor("--md-default-fg-color", "#000000");
    var light = resolveColor("--md-default-fg-color--light", "#555555");
    var grid = resolveColor("--md-default-fg-color--lightest", "#dddddd");
    var bg = resolveColor("--md-default-bg-color", "#ffffff");
    var typeset = document.querySelector(".md-typeset") || document.body;
    var update = {
      "paper_bgcolor": bg,
      "plot_bgcolor": bg,
      "font.color": fg,
      "font.family": getComputedStyle(typeset).fontFamily,
      "title.font.color": fg,
      "legend.font.color": fg,
      "hoverlabel.bgcolor": bg,
      "hoverlabel.font.color": fg,
      "hoverlabel.bordercolor": light,
      "modebar.bgcolor": "rgba(0,0,0,0)",
      "modebar.color": light,
      "modebar.activecolor": fg
    };
    // every axis: a faceted chart has one pair per panel (xaxis2, yaxis2, ...), titled by annotations
    Object.keys(layout || {}).forEach(function (axis) {
      if (/^[xy]axis\d*$/.test(axis) && layout[axis]) {
        update[axis + ".gridcolor"] = grid;
        update[axis + ".zerolinecolor"] = grid;
        update[axis + ".linecolor"] = grid;
        update[axis + ".tickfont.color"] = fg;
        update[axis + ".title.font.color"] = fg;
      }
    });
    ((layout && layout.annotations) || []).forEach(function (_, i) {
      update["annotations[" + i + "].font.color"] = fg;
    });
    return update;
  }

  // Apply "a.b.c" keys to a plain layout object before the first draw (no second render).
  function applyPaths(target, update) {
    Object.keys(update).forEach(function (path) {
      var parts = path.replace(/\[(\d+)\]/g, ".$1").split(".");
      var node = target;
      for (var i = 0; i < parts.length - 1; i++) {
        if (node[parts[i]] === undefined || node[parts[i]] === null) node[parts[i]] = {};
        node = node[parts[i]];
      }
      node[parts[parts.length - 1]] = update[path];
    });
  }

  // -- drawing ---------------------------------------------------------------------------------------
  var resizer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var plot = entry.target.querySelector(".js-plotly-plot");
      if (plot && entry.contentRect.width > 0 && window.Plotly) window.Plotly.Plots.resize(plot);
    });
  }) : null;

  function drawOne(Plotly, el) {
    if (el.hasAttribute("data-lb-drawn")) return Promise.resolve();
    el.setAttribute("data-lb-drawn", "");
    var fig;
    try {
      fig = JSON.parse(el.getAttribute("data-lb-figure"));
    } catch (err) {
      console.error("livebench: a chart's figure is not valid JSON", err);
      return Promise.resolve();
    }
    var plot = el.querySelector(".lb-chart__plot");
    applyPaths(fig.layout, themeUpdate(fig.layout));
    // The build-time drawing was shown while plotly.js loaded: the interactive chart takes its place.
    var still = plot.querySelector(".lb-chart__static");
    if (still) still.remove();
    return Plotly.newPlot(plot, fig.data, fig.layout, fig.config).then(function () {
      if (fig.switch) addSwitch(Plotly, el, plot, fig.switch);
      if (resizer) resizer.observe(el);
    });
  }

  // Alternative views of one chart (uncompressed / compressed sizes): real buttons above the plot, so
  // Material themes them and keyboards reach them. Labels are set as text, never parsed as HTML.
  function addSwitch(Plotly, el, plot, views) {
    var bar = document.createElement("div");
    bar.className = "lb-chart__switch";
    bar.setAttribute("role", "group");
    views.forEach(function (view, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = view.label;
      button.setAttribute("aria-pressed", String(i === 0));
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(bar.children, function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        var restyle = { y: view.y, customdata: view.customdata };
        if (view.text) restyle.text = view.text;  // the values written on bars follow the view
        Plotly.update(plot, restyle, { "yaxis.title.text": view.axis });
      });
      bar.appendChild(button);
    });
    el.insertBefore(bar, plot);
  }

  function drawAll() {
    var charts = document.querySelectorAll(".lb-chart:not([data-lb-drawn])");
    if (!charts.length) return Promise.resolve();
    return loadPlotly().then(function (Plotly) {
      return Promise.all(Array.prototype.map.call(charts, function (el) { return drawOne(Plotly, el); }));
    }).catch(function (err) { console.error(err); });
  }

  function plots(root) {
    return (root || document).querySelectorAll(".lb-chart .js-plotly-plot");
  }

  // The palette toggle flips data-md-color-scheme on <body>: re-colour every chart in place.
  function retheme() {
    if (!window.Plotly) return;
    Array.prototype.forEach.call(plots(), function (plot) {
      window.Plotly.relayout(plot, themeUpdate(plot.layout));
    });
  }
  new MutationObserver(retheme).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"]
  });

  // A chart drawn in a closed content tab has no width yet: size it when its tab opens.
  document.addEventListener("change", function (ev) {
    var set = ev.target && ev.target.closest ? ev.target.closest(".tabbed-set") : null;
    if (!set || !window.Plotly) return;
    requestAnimationFrame(function () {
      Array.prototype.forEach.call(plots(set), function (plot) {
        if (plot.offsetWidth > 0) window.Plotly.Plots.resize(plot);
      });
    });
  });

  window.livebenchCharts = { drawAll: drawAll, retheme: retheme, loadPlotly: loadPlotly };

  // Instant navigation swaps the page body and emits on document$; a normal load draws once here.
  function start() {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { drawAll(); });
    }
    drawAll();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
