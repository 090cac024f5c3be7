"use strict";
// Small charts as inline SVG: a bar per time bucket, with an accessible summary.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const WIDTH = 480;
  const HEIGHT = 110;
  const PAD = { left: 34, right: 6, top: 8, bottom: 22 };

  function svgNode(tag, attributes) {
    const node = document.createElementNS(NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    return node;
  }

  function hourLabel(date) {
    return String(date.getHours()).padStart(2, "0") + ":00";
  }

  // buckets: [{start: Date, value: number}]; max: the top of the scale (null: from the data).
  function bars(container, buckets, options) {
    const settings = Object.assign({ max: null, colour: "#1d5fb8", unit: "", summary: "" }, options);
    const top = settings.max || Math.max(1, ...buckets.map((bucket) => bucket.value));
    const plotWidth = WIDTH - PAD.left - PAD.right;
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const svg = svgNode("svg", { viewBox: "0 0 " + WIDTH + " " + HEIGHT, class: "chart-svg" });
    svg.setAttribute("aria-hidden", "true");
    svg.append(svgNode("line", { x1: PAD.left, y1: PAD.top + plotHeight, x2: WIDTH - PAD.right, y2: PAD.top + plotHeight, stroke: "#8a96a5" }));
    for (const fraction of [0, 1]) {
      const y = PAD.top + plotHeight * (1 - fraction);
      const tick = svgNode("text", { x: PAD.left - 4, y: y + 4, "text-anchor": "end", class: "tick" });
      tick.textContent = settings.max === 1 ? fraction * 100 + "%" : String(Math.round(top * fraction));
      svg.append(tick);
    }
    const slot = plotWidth / Math.max(1, buckets.length);
    buckets.forEach((bucket, index) => {
      const height = plotHeight * Math.min(1, bucket.value / top);
      const x = PAD.left + index * slot;
      const bar = svgNode("rect", { x: x + 1, y: PAD.top + plotHeight - height, width: Math.max(1, slot - 2), height, fill: settings.colour });
      const tip = svgNode("title");
      tip.textContent = hourLabel(bucket.start) + ": " + (settings.max === 1 ? Math.round(bucket.value * 100) + "%" : bucket.value) + settings.unit;
      bar.append(tip);
      svg.append(bar);
      if (index % 6 === 0) {
        const tick = svgNode("text", { x, y: HEIGHT - 6, class: "tick" });
        tick.textContent = hourLabel(bucket.start);
        svg.append(tick);
      }
    });
    const summary = document.createElement("p");
    summary.className = "chart-summary";
    summary.textContent = settings.summary;
    container.replaceChildren(svg, summary);
    container.dataset.points = String(buckets.length);
  }

  window.Charts = { bars };
})();
