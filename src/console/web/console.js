// Paddock's web console: one page over the JSON API of src/console/console.h. Plain
// JavaScript (no framework, no build step of its own); uPlot draws the charts.
"use strict";

const api = "api/";
const state = {
  info: null,
  credentials: sessionStorage.getItem("paddock.credentials"),  // "user:password" or null
  node: null,          // the node shown, as /api/node answered it
  dataView: "text",
  editing: null,       // "edit" | "create" | null
  metricsAfter: 0,
  charts: null,
  series: [],          // samples kept for the charts (the server keeps 10 minutes)
};

// --- the API ---------------------------------------------------------------------------
function headers() {
  // The header marks the console's own requests: the server refuses a write without it,
  // which a cross-site form cannot add.
  const h = {"X-Paddock-Console": "1"};
  if (state.credentials) h["Authorization"] = "Basic " + btoa(unescape(encodeURIComponent(state.credentials)));
  return h;
}

async function call(method, path, body) {
  const init = {method, headers: headers(), cache: "no-store"};
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(api + path, init);
  let json = null;
  try { json = await res.json(); } catch (e) { json = {error: res.statusText}; }
  if (!res.ok) {
    const what = json && json.error ? json.error : res.statusText;
    const err = new Error(json && json.path ? `${what} (${json.path})` : what);
    err.status = res.status;
    err.code = json && json.error;
    throw err;
  }
  return json;
}

// --- small helpers ---------------------------------------------------------------------
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function childPath(parent, name) { return parent === "/" ? "/" + name : parent + "/" + name; }
function parentOf(path) {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
function showMessage(text, kind) {
  const m = $("message");
  m.textContent = text;
  m.className = "message " + (kind || "error");
  m.hidden = false;
  clearTimeout(showMessage.timer);
  showMessage.timer = setTimeout(() => { m.hidden = true; }, kind === "ok" ? 3000 : 8000);
}
function bytesOf(base64) {
  if (base64 === null) return null;
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function textOf(bytes) { return new TextDecoder("utf-8").decode(bytes); }
function hexDump(bytes) {
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.slice(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(off.toString(16).padStart(8, "0") + "  " + hex.padEnd(48, " ") + "  " + ascii);
  }
  return lines.join("\n");
}
function time(ms) { return ms ? new Date(ms).toISOString().replace("T", " ").replace("Z", " UTC") : "-"; }
function table(id, head, rows) {
  const t = $(id);
  t.replaceChildren();
  if (head) t.append(el("tr", {}, ...head.map((h) => el("th", {}, h))));
  for (const r of rows) t.append(el("tr", {}, ...r.map((c) => el("td", {}, c))));
}
function kv(id, pairs) { table(id, null, pairs.map(([k, v]) => [el("b", {}, k), v])); }

// --- header: server, write mode, identity ------------------------------------------------
async function loadInfo() {
  try {
    state.info = await call("GET", "info");
  } catch (e) {
    $("server-badge").textContent = "server unreachable";
    showMessage("Cannot read the server: " + e.message);
    return;
  }
  const s = state.info.server;
  $("server-badge").textContent = s ? `${s.mode} · sid ${s.server_id} · zxid ${s.last_zxid}` : "not serving";
  $("server-badge").className = "badge mode-" + (s ? s.mode : "none");
  const w = $("writes-badge");
  w.textContent = state.info.writes_enabled ? "writes enabled" : "read-only";
  w.className = "badge " + (state.info.writes_enabled ? "writes" : "readonly");
  $("identity").textContent = state.info.identity;
  $("signin-user").hidden = $("signin-password").hidden = $("signin-button").hidden = !!state.credentials;
  $("signout-button").hidden = !state.credentials;
}

$("signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const user = $("signin-user").value.trim();
  if (!user || user.includes(":")) return showMessage("A digest user is a name without ':'.");
  state.credentials = user + ":" + $("signin-password").value;
  sessionStorage.setItem("paddock.credentials", state.credentials);
  $("signin-password").value = "";
  await loadInfo();
  await refreshTree();
  showMessage("Signed in as digest:" + user, "ok");
});
$("signout-button").addEventListener("click", async () => {
  state.credentials = null;
  sessionStorage.removeItem("paddock.credentials");
  await loadInfo();
  await refreshTree();
});

// --- tabs --------------------------------------------------------------------------------
let activeTab = "tree";
for (const b of document.querySelectorAll("#tabs button")) {
  b.addEventListener("click", () => selectTab(b.dataset.tab));
}
function selectTab(name) {
  activeTab = name;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.classList.toggle("active", s.id === "tab-" + name);
  if (name === "metrics") { ensureCharts(); pollMetrics(); }
  if (name === "sessions") loadSessions();
  if (name === "ensemble") loadEnsemble();
}

// --- the tree ----------------------------------------------------------------------------
// Each <li> holds a toggle, the name (click: show the node) and, once expanded, a <ul> of
// its children, read when first expanded.
function treeItem(path) {
  const name = path === "/" ? "/" : path.slice(path.lastIndexOf("/") + 1);
  const li = el("li", {"data-path": path});
  const toggle = el("span", {class: "toggle", onclick: () => toggleItem(li)}, "▸");
  const label = el("a", {class: "name", href: "#" + path, "data-path": path,
                         onclick: (ev) => { ev.preventDefault(); openNode(path); expandItem(li); }}, name);
  li.append(toggle, label);
  return li;
}
async function expandItem(li) {
  const path = li.dataset.path;
  let ul = li.querySelector(":scope > ul");
  if (!ul) {
    ul = el("ul");
    li.append(ul);
  }
  li.classList.add("open");
  li.querySelector(".toggle").textContent = "▾";
  try {
    const node = await call("GET", "node?path=" + encodeURIComponent(path));
    ul.replaceChildren(...node.children.map((c) => treeItem(childPath(path, c))));
    if (node.children.length === 0) li.querySelector(".toggle").textContent = "·";
  } catch (e) {
    ul.replaceChildren(el("li", {class: "error"}, e.message));
  }
}
function toggleItem(li) {
  if (li.classList.contains("open")) {
    li.classList.remove("open");
    li.querySelector(".toggle").textContent = "▸";
    const ul = li.querySelector(":scope > ul");
    if (ul) ul.remove();
  } else {
    expandItem(li);
  }
}
// Opens every ancestor of `path` in the tree, so the node is visible where it lives.
async function revealInTree(path) {
  let li = $("tree").querySelector('li[data-path="/"]');
  if (!li.classList.contains("open")) await expandItem(li);
  const parts = path.split("/").filter((p) => p);
  let at = "/";
  for (const p of parts) {
    at = childPath(at, p);
    const next = li.querySelector(`:scope > ul > li[data-path="${CSS.escape(at)}"]`);
    if (!next) break;
    li = next;
    if (at !== path && !li.classList.contains("open")) await expandItem(li);
  }
  for (const a of $("tree").querySelectorAll("a.selected")) a.classList.remove("selected");
  const label = li.querySelector(":scope > a.name");
  if (li.dataset.path === path && label) {
    label.classList.add("selected");
    label.scrollIntoView({block: "nearest"});
  }
}
async function refreshTree() {
  $("tree").replaceChildren(treeItem("/"));
  await expandItem($("tree").firstChild);
  if (state.node) await openNode(state.node.path);
}

// --- the node pane -----------------------------------------------------------------------
async function openNode(path) {
  closeEditor();
  try {
    state.node = await call("GET", "node?path=" + encodeURIComponent(path));
  } catch (e) {
    showMessage(e.message);
    return;
  }
  $("goto-path").value = path;
  history.replaceState(null, "", "#" + path);
  renderNode();
  revealInTree(path);
}
function renderNode() {
  const n = state.node;
  const writes = state.info && state.info.writes_enabled;
  $("node-path").textContent = n.path;
  $("edit-button").hidden = !writes;
  $("create-button").hidden = !writes;
  $("delete-button").hidden = !writes || n.path === "/";
  renderData();
  const s = n.stat;
  kv("node-stat", [
    ["czxid", s.czxid], ["mzxid", s.mzxid], ["pzxid", s.pzxid],
    ["ctime", time(s.ctime)], ["mtime", time(s.mtime)],
    ["version", s.version], ["cversion", s.cversion], ["aversion", s.aversion],
    ["ephemeralOwner", s.ephemeralOwner], ["dataLength", s.dataLength], ["numChildren", s.numChildren],
  ]);
  if (n.acl) table("node-acl", ["scheme", "id", "perms"], n.acl.map((a) => [a.scheme, a.id, a.perms]));
  else table("node-acl", null, [["not readable: " + n.acl_error]]);
  $("child-count").textContent = `(${n.children.length})`;
  $("node-children").replaceChildren(...n.children.map((c) =>
    el("li", {}, el("a", {href: "#" + childPath(n.path, c), "data-path": childPath(n.path, c),
                          onclick: (ev) => { ev.preventDefault(); openNode(childPath(n.path, c)); }}, c))));
}
function renderData() {
  const bytes = bytesOf(state.node.data);
  const pre = $("node-data");
  pre.classList.remove("muted");
  $("data-size").textContent = bytes === null ? "null" : `${bytes.length} bytes`;
  if (bytes === null || bytes.length === 0) {
    pre.textContent = bytes === null ? "(null)" : "(empty)";
    pre.classList.add("muted");
  } else if (state.dataView === "hex") {
    pre.textContent = hexDump(bytes);
  } else if (state.dataView === "json") {
    try { pre.textContent = JSON.stringify(JSON.parse(textOf(bytes)), null, 2); }
    catch (e) { pre.textContent = "not JSON: " + e.message; pre.classList.add("muted"); }
  } else {
    pre.textContent = textOf(bytes);
  }
}
for (const b of document.querySelectorAll(".views button")) {
  b.addEventListener("click", () => {
    state.dataView = b.dataset.view;
    for (const o of document.querySelectorAll(".views button")) o.classList.toggle("active", o === b);
    if (state.node) renderData();
  });
}

$("goto").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const p = $("goto-path").value.trim() || "/";
  openNode(p.startsWith("/") ? p : "/" + p);
});

$("search").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = $("search-query").value.trim();
  const box = $("search-results");
  if (!q) { box.hidden = true; return; }
  box.hidden = false;
  box.replaceChildren(el("div", {class: "note"}, "searching…"));
  try {
    const r = await call("GET", "search?q=" + encodeURIComponent(q) + "&root=/");
    const note = `${r.matches.length} match${r.matches.length === 1 ? "" : "es"} in ${r.visited} znodes` +
                 (r.truncated ? " (stopped early)" : "") + (r.unreadable ? `, ${r.unreadable} not readable` : "");
    box.replaceChildren(el("div", {class: "note"}, note), ...r.matches.map((p) =>
      el("a", {href: "#" + p, "data-path": p, onclick: (e) => { e.preventDefault(); openNode(p); }}, p)));
  } catch (e) {
    box.replaceChildren(el("div", {class: "error"}, e.message));
  }
});

// --- edit, create, delete -----------------------------------------------------------------
function openEditor(mode) {
  state.editing = mode;
  const n = state.node;
  $("editor").hidden = false;
  $("confirm-delete").hidden = true;
  $("create-fields").hidden = mode !== "create";
  if (mode === "edit") {
    const bytes = bytesOf(n.data);
    $("editor-title").textContent = `Edit data of ${n.path}`;
    $("editor-data").value = bytes ? textOf(bytes) : "";
    $("editor-note").textContent = `saves as version ${n.stat.version} → ${n.stat.version + 1}; ` +
                                   "fails if someone changed it meanwhile";
  } else {
    $("editor-title").textContent = `Create a child of ${n.path}`;
    $("create-name").value = "";
    $("editor-data").value = "";
    $("editor-note").textContent = "";
  }
  (mode === "create" ? $("create-name") : $("editor-data")).focus();
}
function closeEditor() {
  state.editing = null;
  $("editor").hidden = true;
  $("confirm-delete").hidden = true;
}
$("edit-button").addEventListener("click", () => openEditor("edit"));
$("create-button").addEventListener("click", () => openEditor("create"));
$("editor-cancel").addEventListener("click", closeEditor);
$("editor-save").addEventListener("click", async () => {
  const n = state.node;
  try {
    if (state.editing === "edit") {
      await call("PUT", "node", {path: n.path, data: $("editor-data").value, encoding: "text",
                                 version: n.stat.version});
      showMessage(`Saved ${n.path}`, "ok");
      await openNode(n.path);
    } else {
      const name = $("create-name").value.trim();
      if (!name || name.includes("/")) return showMessage("A child name is one path segment.");
      const r = await call("POST", "node", {path: childPath(n.path, name), data: $("editor-data").value,
                                            encoding: "text", mode: $("create-mode").value,
                                            acl: $("create-acl").value});
      showMessage(`Created ${r.path}`, "ok");
      await refreshParent(n.path);
      await openNode(r.path);
    }
  } catch (e) {
    showMessage(e.message);
  }
});
$("delete-button").addEventListener("click", () => {
  $("editor").hidden = true;
  $("confirm-delete").hidden = false;
  $("confirm-delete-path").textContent = state.node.path;
  $("confirm-delete-version").textContent = state.node.stat.version;
});
$("confirm-delete-no").addEventListener("click", closeEditor);
$("confirm-delete-yes").addEventListener("click", async () => {
  const n = state.node;
  try {
    await call("DELETE", `node?path=${encodeURIComponent(n.path)}&version=${n.stat.version}`);
    showMessage(`Deleted ${n.path}`, "ok");
    const parent = parentOf(n.path);
    await refreshParent(parent);
    await openNode(parent);
  } catch (e) {
    showMessage(e.message);
  }
});
async function refreshParent(path) {
  const li = $("tree").querySelector(`li[data-path="${CSS.escape(path)}"]`);
  if (li) await expandItem(li);
}

// --- charts ------------------------------------------------------------------------------
const chartDefs = [
  {id: "chart-throughput", title: "Throughput (requests/s)",
   series: [["reads/s", "reads_per_s", "#2b7bd6"], ["writes/s", "writes_per_s", "#d6602b"]]},
  {id: "chart-latency", title: "Latency percentiles (ms)",
   series: [["p50", "latency_p50_ms", "#2b9d5c"], ["p95", "latency_p95_ms", "#d6a12b"],
            ["p99", "latency_p99_ms", "#c23b3b"]]},
  {id: "chart-outstanding", title: "Outstanding requests",
   series: [["outstanding", "outstanding_requests", "#7a4bd6"]]},
  {id: "chart-connections", title: "Connections and sessions",
   series: [["connections", "connections", "#2b7bd6"], ["sessions", "sessions", "#2b9d5c"]]},
  {id: "chart-znodes", title: "Znodes and watches",
   series: [["znodes", "znodes", "#d6602b"], ["watches", "watches", "#7a4bd6"]]},
];
// Each chart fills its own grid cell (the grid decides how many fit a row), and follows it
// when the window or the layout changes.
function chartSize(el) {
  return {width: Math.max(240, el.clientWidth - 12), height: 220};
}
function ensureCharts() {
  if (state.charts) return;
  state.charts = chartDefs.map((d) => new uPlot({
    title: d.title, ...chartSize($(d.id)),
    scales: {y: {range: (u, min, max) => [0, Math.max(1, max * 1.15)]}},
    series: [{}, ...d.series.map(([label, , stroke]) => ({label, stroke, width: 2, points: {show: false}}))],
    axes: [{}, {size: 50}],
  }, chartData(d), $(d.id)));
  const resize = new ResizeObserver(() => {
    state.charts.forEach((c, i) => {
      const size = chartSize($(chartDefs[i].id));
      if (size.width !== c.width) c.setSize(size);
    });
  });
  chartDefs.forEach((d) => resize.observe($(d.id)));
}
function chartData(d) {
  return [state.series.map((m) => m.time_ms / 1000), ...d.series.map(([, key]) => state.series.map((m) => m[key]))];
}
async function pollMetrics() {
  try {
    const r = await call("GET", "metrics?after=" + state.metricsAfter);
    if (r.samples.length) {
      state.metricsAfter = r.samples[r.samples.length - 1].seq;
      state.series.push(...r.samples);
      if (state.series.length > 600) state.series.splice(0, state.series.length - 600);
      if (state.charts) state.charts.forEach((c, i) => c.setData(chartData(chartDefs[i])));
    }
  } catch (e) { /* the next poll retries; the header says when the server is gone */ }
}

// --- sessions ----------------------------------------------------------------------------
async function loadSessions() {
  let r;
  try { r = await call("GET", "sessions"); } catch (e) { return showMessage(e.message); }
  $("sessions-note").textContent = `${r.connection_count} connections, ${r.session_count} sessions` +
                                   (r.truncated ? " (lists cut)" : "");
  table("connections", ["address", "session", "timeout", "outstanding", "received", "sent",
                        "last op", "latency avg/max", "established", "watches"],
        r.connections.map((c) => [c.address, c.session_id, c.timeout_ms + " ms", c.outstanding,
                                  c.received, c.sent, c.last_op,
                                  `${c.avg_latency_ms.toFixed(1)} / ${c.max_latency_ms} ms`,
                                  time(c.established_ms),
                                  watchList(c)]));
  table("sessions", ["session", "timeout", "watches"],
        r.sessions.map((s) => [s.session_id, s.timeout_ms + " ms", s.watch_count]));
}
function watchList(c) {
  if (!c.watch_count) return "0";
  const more = c.watch_count > c.watches.length ? ` … (${c.watch_count})` : "";
  return el("span", {class: "watches", title: c.watches.join("\n")}, c.watches.join(", ") + more);
}
$("sessions-refresh").addEventListener("click", loadSessions);

// --- server and ensemble -----------------------------------------------------------------
async function loadEnsemble() {
  let r;
  try { r = await call("GET", "ensemble"); } catch (e) { return showMessage(e.message); }
  const s = r.server;
  if (s) {
    kv("server-role", [["mode", s.mode], ["server id", s.server_id], ["version", s.version],
                       ["serving", String(s.serving)], ["last zxid", s.last_zxid], ["znodes", s.znodes],
                       ["connections", s.connections], ["sessions", s.sessions], ["watches", s.watches],
                       ["outstanding", s.outstanding_requests]]);
    const q = s.quorum;
    kv("server-quorum", q ? [["leader", q.leader_id], ["epoch", q.epoch], ["peer state", q.peer_state],
                             ["last committed", q.last_committed_zxid], ["voting members", q.quorum_size],
                             ["synced followers", q.synced_followers], ["synced observers", q.synced_observers],
                             ["proposals in flight", q.proposals_in_flight]]
                          : [["standalone", "no quorum"]]);
  }
  if (!r.members.length) {
    table("members", null, [["Standalone server: no other members."]]);
    return;
  }
  table("members", ["sid", "role", "client address", "mode", "zxid", "lag (txns)", "znodes", "note"],
        r.members.map((m) => [m.sid, m.role, m.address, m.mode || "-", m.zxid || "-",
                              m.lag === null ? "-" : m.lag, m.node_count ?? "-", m.error || ""]));
}
$("ensemble-refresh").addEventListener("click", loadEnsemble);

// --- start -------------------------------------------------------------------------------
async function start() {
  await loadInfo();
  const initial = decodeURIComponent(location.hash.slice(1)) || "/";
  $("tree").replaceChildren(treeItem("/"));
  await expandItem($("tree").firstChild);
  await openNode(initial.startsWith("/") ? initial : "/");
  // One poll loop: the charts' samples (the server samples only while someone polls), the
  // visible tab's tables, the header.
  let tick = 0;
  setInterval(() => {
    tick++;
    pollMetrics();  // on every tab: the charts have history when opened
    if (activeTab === "sessions" && tick % 5 === 0) loadSessions();
    if (activeTab === "ensemble" && tick % 5 === 0) loadEnsemble();
    if (tick % 5 === 0) loadInfo();
  }, 1000);
}
start();
