// sqlgate's dashboard: polls /chain on the admin listener that served this page (its own
// status and its peers') once a second and redraws. No framework; charts by uPlot.
"use strict";

const ROLE_ORDER = ["gatekeeper", "trusted-host", "proxy"];
const STRATEGIES = ["direct", "random", "customized"];
const HISTORY = 120;  // samples kept per chart (two minutes)

const previous = { at: 0, statements: new Map() };  // server -> statements by route
const history = new Map();  // server -> { times, latency, lag, plot }

function element(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function serverState(s) {
  if (!s.up) return "down";
  if (s.role === "primary" || (s.replication === "streaming" && s.serves_reads)) return "ok";
  return "warn";
}

function drawChain(roles) {
  const chain = document.getElementById("chain");
  chain.replaceChildren();
  let first = true;
  for (const r of roles) {
    if (!first) chain.append(element("span", { class: "arrow" }, "→"));
    first = false;
    const s = r.status;
    const name = s ? s.role : r.admin;
    const detail = s ? `${s.sessions} sessions` : (r.error || "no answer");
    chain.append(element("div", { class: `node ${s ? "ok" : "down"}`, "data-node": name },
      element("div", { class: "name" }, name), element("div", { class: "detail" }, detail)));
    if (s && s.role === "proxy") {
      chain.append(element("span", { class: "arrow" }, "→"));
      const column = element("div", { class: "servers" });
      for (const server of s.servers) {
        const lag = server.role === "primary" ? "" : `, lag ${server.lag_s.toFixed(1)} s`;
        column.append(element("div",
          { class: `node ${serverState(server)}`, "data-node": server.name,
            "data-state": serverState(server) },
          element("div", { class: "name" }, `${server.name} (${server.role})`),
          element("div", { class: "detail" },
            `${server.address} — ${server.up ? server.replication : "down"}${lag}`)));
      }
      chain.append(column);
    }
  }
}

function drawReads(proxy, now) {
  const head = document.querySelector("#reads thead");
  const body = document.querySelector("#reads tbody");
  head.replaceChildren(element("tr", {}, element("th", {}, "server"),
    ...STRATEGIES.map((s) => element("th", {}, s)), element("th", {}, "reads in all")));
  body.replaceChildren();
  if (!proxy) return;
  const seconds = previous.at ? (now - previous.at) / 1000 : 0;
  const rates = proxy.servers.map((server) => {
    const before = previous.statements.get(server.name);
    return STRATEGIES.map((s) => (before && seconds > 0
      ? Math.max(0, server.statements[s] - before[s]) / seconds : 0));
  });
  const totals = STRATEGIES.map((_, i) => rates.reduce((sum, r) => sum + r[i], 0));
  proxy.servers.forEach((server, row) => {
    const reads = STRATEGIES.reduce((sum, s) => sum + server.statements[s], 0);
    body.append(element("tr",
      { "data-server": server.name, "data-role": server.role, "data-reads": String(reads) },
      element("td", {}, server.name),
      ...rates[row].map((rate, i) => {
        const share = totals[i] > 0 ? rate / totals[i] : 0;
        return element("td", {}, element("span", { class: "bar", style: `width:${Math.round(share * 60)}px` }),
          `${rate.toFixed(1)} (${Math.round(share * 100)}%)`);
      }),
      element("td", {}, String(reads))));
    previous.statements.set(server.name, { ...server.statements });
  });
  previous.at = now;
}

function drawCharts(proxy, now) {
  if (!proxy || typeof uPlot === "undefined") return;
  const charts = document.getElementById("charts");
  for (const server of proxy.servers) {
    let h = history.get(server.name);
    if (!h) {
      h = { times: [], latency: [], lag: [], plot: null };
      history.set(server.name, h);
      const box = element("div", { class: "chart", "data-chart": server.name });
      charts.append(box);
      h.plot = new uPlot({
        title: server.name, width: 320, height: 140,
        scales: { x: { time: true }, lag: { auto: true } },
        series: [{}, { label: "latency ms", stroke: "#0969da" },
          { label: "lag s", stroke: "#cf222e", scale: "lag" }],
        axes: [{}, { label: "ms" }, { side: 1, scale: "lag", label: "s" }],
      }, [[], [], []], box);
    }
    h.times.push(now / 1000);
    h.latency.push(server.latency_ms);
    h.lag.push(server.role === "primary" ? null : server.lag_s);
    if (h.times.length > HISTORY) { h.times.shift(); h.latency.shift(); h.lag.shift(); }
    h.plot.setData([h.times, h.latency, h.lag]);
  }
}

function drawRefusals(roles) {
  const body = document.querySelector("#refusals tbody");
  body.replaceChildren();
  const all = roles.flatMap((r) => (r.status && r.status.recent_refusals) || []);
  all.sort((a, b) => (a.ts < b.ts ? 1 : -1));
  for (const f of all.slice(0, 15)) {
    body.append(element("tr", {}, element("td", {}, f.ts), element("td", {}, f.user),
      element("td", {}, f.rule), element("td", {}, f.digest)));
  }
}

function drawEvents(roles) {
  const list = document.getElementById("events");
  list.replaceChildren();
  const all = roles.flatMap((r) => (r.status && r.status.events) || []);
  all.sort().reverse();
  for (const line of all.slice(0, 20)) list.append(element("li", {}, line));
}

async function refresh() {
  try {
    const response = await fetch("chain", { cache: "no-store" });
    const chain = await response.json();
    const roles = chain.roles.slice().sort((a, b) => {
      const ra = a.status ? ROLE_ORDER.indexOf(a.status.role) : 9;
      const rb = b.status ? ROLE_ORDER.indexOf(b.status.role) : 9;
      return ra - rb;
    });
    const now = Date.now();
    const proxy = (roles.find((r) => r.status && r.status.role === "proxy") || {}).status;
    document.getElementById("served-by").textContent = `served by the ${chain.served_by}`;
    drawChain(roles);
    drawReads(proxy, now);
    drawCharts(proxy, now);
    drawRefusals(roles);
    drawEvents(roles);
    document.getElementById("updated").textContent =
      `updated ${new Date(now).toLocaleTimeString()}`;
  } catch (error) {
    document.getElementById("updated").textContent = `no answer: ${error.message}`;
  }
}

refresh();
setInterval(refresh, 1000);
