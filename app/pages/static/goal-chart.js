// Draws a goal's chart from the JSON the page carries (#chart-data) with Apache ECharts.
(function () {
  "use strict";
  var el = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (!el || !source || !window.echarts) { return; }
  var d = JSON.parse(source.textContent);
  var fmt = new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 4 });
  var unit = d.unit === "%" ? " %" : " " + d.unit;

  function line(name, data, style, extra) {
    var s = {
      name: name, type: "line", data: data, lineStyle: style,
      encode: { x: 0, y: 1 }, symbolSize: 9, emphasis: { focus: "series" }
    };
    for (var k in extra) { s[k] = extra[k]; }
    return s;
  }

  var series = [
    line(d.names.figures, d.figures, { width: 3, color: "#1d4e89" },
         { itemStyle: { color: "#1d4e89" }, symbol: "circle", z: 5 })
  ];
  if (d.goal !== null) {
    series.push(line(d.names.goal, [[d.start, d.goal, ""], [d.end, d.goal, ""]],
      { width: 2, type: "dashed", color: "#b3261e" }, { itemStyle: { color: "#b3261e" }, symbol: "none" }));
  }
  if (d.baseline.length) {
    series.push({ name: d.names.baseline, type: "scatter", data: d.baseline, symbol: "diamond",
      symbolSize: 13, itemStyle: { color: "#6b4c9a" }, encode: { x: 0, y: 1 } });
  }
  if (d.projection.length) {
    series.push(line(d.names.projection, d.projection, { width: 2, type: "dotted", color: "#1d7a4f" },
      { itemStyle: { color: "#1d7a4f" }, symbol: "emptyCircle" }));
  }
  if (d.schedule.length) {
    series.push(line(d.names.schedule, d.schedule, { width: 2, type: [6, 4], color: "#8a6d00" },
      { itemStyle: { color: "#8a6d00" }, symbol: "none" }));
  }

  var xMin = Math.min(d.start, firstTime());
  // Times are years at the end of a period: 2023.0 is the end of 2022, 2023.5 the end of June.
  function timeLabel(v) {
    var year = Math.floor(v + 1e-9), month = Math.round((v - year) * 12);
    if (month === 0) { return d.names.year_end.replace("{y}", String(year - 1)); }
    return year + "-" + (month < 10 ? "0" : "") + month;
  }

  var chart = echarts.init(el, null, { renderer: "svg" });
  var narrow = el.clientWidth < 520;
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    grid: { left: 8, right: narrow ? 28 : 40, top: narrow ? 84 : 56, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, type: "plain", textStyle: { fontSize: 13 } },
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        var label = p.value[2] ? p.value[2] + " · " : "";
        return p.seriesName + "<br>" + label + "<b>" + fmt.format(p.value[1]) + unit + "</b>";
      }
    },
    xAxis: {
      type: "value", min: xMin, max: d.end, interval: d.end - xMin <= 2 ? 0.25 : 1,
      axisLabel: { formatter: timeLabel, hideOverlap: true },
      splitLine: { lineStyle: { color: "#e3e6ea" } }
    },
    yAxis: {
      type: "value", scale: true, name: d.unit, nameTextStyle: { align: "left" },
      axisLabel: { formatter: function (v) { return fmt.format(v); } },
      splitLine: { lineStyle: { color: "#e3e6ea" } }
    },
    graphic: d.figures.length ? [] : [{ type: "text", left: "center", top: "middle",
      style: { text: d.names.empty, fontSize: 15, fill: "#555" } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });

  function firstTime() {
    var times = d.figures.concat(d.baseline).map(function (p) { return Math.floor(p[0]); });
    return times.length ? Math.min.apply(null, times) : d.start;
  }
})();
