"use strict";
// One kiosk: its state, 24-hour charts, latest screenshot, and the commands sent to it.
(function () {
  const { api, listOf, field, me, live, text, when, duration, label } = Fleet;
  const page = () => document.getElementById("kiosk-page");
  const code = () => page().dataset.code;
  const base = () => "/api/v1/fleet/kiosks/" + encodeURIComponent(code());
  const HOURS = 24;

  function fact(list, name, value) {
    if (value === undefined || value === null || value === "") return;
    list.append(text("dt", name), text("dd", value));
  }

  function showKiosk(kiosk) {
    const online = Boolean(field(kiosk, "online", "is_online"));
    const badge = document.getElementById("kiosk-status");
    badge.textContent = online ? "Online" : "Offline";
    badge.className = "badge " + (online ? "online" : "offline");
    const facts = document.getElementById("kiosk-facts");
    facts.replaceChildren();
    fact(facts, "Name", field(kiosk, "name"));
    fact(facts, "Office", field(kiosk, "office"));
    const inService = field(kiosk, "in_service");
    const reason = field(kiosk, "out_of_service_reason");
    const outOfService = "Out of service" + (reason ? " (" + reason + ")" : "");
    fact(facts, "Service", inService === undefined || inService === null ? "" : inService ? "In service" : outOfService);
    fact(facts, "Screen", label(field(kiosk, "screen")));
    fact(facts, "Last seen", when(field(kiosk, "last_seen", "last_seen_at", "last_heartbeat_at")));
    fact(facts, "Version", field(kiosk, "version", "software_version"));
    fact(facts, "Uptime", duration(field(kiosk, "uptime_seconds")));
    fact(facts, "Outbox backlog", field(kiosk, "backlog", "outbox_backlog"));
    fact(facts, "Submissions today", field(kiosk, "submissions_today"));
    fact(facts, "Rejected submissions kept", field(kiosk, "outbox_rejected"));
    fact(facts, "Submissions stuck on server errors", field(kiosk, "outbox_stuck"));
    fact(facts, "Citizens without a case number today", field(kiosk, "numbering_refused_today"));
    const found = field(kiosk, "devices");
    const reports = Array.isArray(found) ? found
      : Object.entries(found || {}).map(([device, report]) => Object.assign({ device }, report));
    for (const report of reports) {
      let value = label(report.health);
      if (report.paper && report.paper !== "ok") value += report.paper === "out" ? ", paper out" : ", paper near end";
      if (report.detail) value += " (" + report.detail + ")";
      fact(facts, label(report.device || report.kind), value);
    }
    showScreenshot(kiosk);
  }

  function showScreenshot(kiosk) {
    const shot = field(kiosk, "latest_screenshot", "screenshot");
    const id = field(kiosk, "latest_screenshot_id", "screenshot_id") || (shot && (shot.id || shot.screenshot_id));
    const image = document.getElementById("screenshot");
    document.getElementById("no-screenshot").hidden = Boolean(id);
    if (!id) { image.hidden = true; return; }
    const source = "/api/v1/fleet/screenshots/" + encodeURIComponent(id);
    if (image.getAttribute("src") !== source) image.src = source;
    image.hidden = false;
    const taken = shot && (shot.taken_at || shot.received_at || shot.created_at);
    image.title = taken ? "Taken " + when(taken) : "";
  }

  function commandRow(command) {
    const row = document.createElement("tr");
    const id = field(command, "command_id", "id");
    row.dataset.commandId = id;
    const state = String(field(command, "state", "status") || "pending");
    row.dataset.state = state;
    row.append(text("td", label(field(command, "kind"))));
    const stateCell = document.createElement("td");
    stateCell.append(text("span", label(state), "badge state-" + state));
    row.append(stateCell);
    row.append(text("td", field(command, "issued_by", "sent_by", "staff", "actor") || ""));
    row.append(text("td", when(field(command, "issued_at", "created_at", "sent_at"))));
    row.append(text("td", field(command, "result_detail", "detail", "note") || ""));
    return row;
  }

  function showCommands(commands) {
    const ordered = commands.slice().sort((a, b) =>
      String(field(b, "issued_at", "created_at") || "").localeCompare(String(field(a, "issued_at", "created_at") || "")));
    const rows = ordered.map(commandRow);
    if (!rows.length) {
      const empty = document.createElement("tr");
      const cell = text("td", "No commands yet.", "muted");
      cell.colSpan = 5;
      empty.append(cell);
      rows.push(empty);
    }
    document.getElementById("command-rows").replaceChildren(...rows);
  }

  // Hour buckets ending now, filled from whatever the history holds.
  function emptyBuckets() {
    const end = new Date();
    end.setMinutes(0, 0, 0);
    end.setHours(end.getHours() + 1);
    const buckets = [];
    for (let index = HOURS; index > 0; index--) {
      buckets.push({ start: new Date(end.getTime() - index * 3600000), value: 0 });
    }
    return buckets;
  }

  function bucketIndex(buckets, moment) {
    const time = new Date(moment).getTime();
    if (isNaN(time)) return -1;
    const index = Math.floor((time - buckets[0].start.getTime()) / 3600000);
    return index >= 0 && index < buckets.length ? index : -1;
  }

  // The history holds a point per minute with a heartbeat (or a silent minute marked offline)
  // and the alerts opened; the charts show them per hour.
  function series(history) {
    const online = emptyBuckets();
    const alerts = emptyBuckets();
    const submissions = emptyBuckets();
    const points = listOf(history, "points")
      .slice()
      .sort((a, b) => String(a.minute).localeCompare(String(b.minute)));
    let previousToday = null;
    for (const point of points) {
      const index = bucketIndex(online, point.minute);
      if (index < 0) continue;
      if (Number(point.online)) online[index].value += 1 / 60;
      const today = point.submissions_today;
      if (today === null || today === undefined) continue;
      // The count restarts at midnight: a drop means a new day began with that many.
      if (previousToday !== null) submissions[index].value += today >= previousToday ? today - previousToday : today;
      previousToday = today;
    }
    // The current hour is judged on the minutes it has had so far.
    const current = online[online.length - 1];
    const elapsedMinutes = Math.max(1, Math.ceil((Date.now() - current.start.getTime()) / 60000));
    current.value *= 60 / Math.min(60, elapsedMinutes);
    for (const bucket of online) bucket.value = Math.min(1, bucket.value);
    for (const alert of listOf(history, "alerts_opened", "alerts")) {
      const index = bucketIndex(alerts, alert.opened_at);
      if (index >= 0) alerts[index].value += 1;
    }
    return { online, alerts, submissions };
  }

  function drawHistory(history) {
    const { online, alerts, submissions } = series(history);
    const total = (buckets) => buckets.reduce((sum, bucket) => sum + bucket.value, 0);
    const share = Math.round((total(online) / online.length) * 100);
    Charts.bars(document.getElementById("chart-online"), online,
      { max: 1, colour: "#1c8a3c", summary: "Online " + share + "% of the last 24 hours" });
    Charts.bars(document.getElementById("chart-alerts"), alerts,
      { colour: "#b3261e", summary: total(alerts) + " alerts in the last 24 hours" });
    Charts.bars(document.getElementById("chart-submissions"), submissions,
      { colour: "#1d5fb8", summary: total(submissions) + " submissions in the last 24 hours" });
  }

  async function refresh() {
    const kiosk = await api(base());
    showKiosk(kiosk);
    let commands = field(kiosk, "recent_commands", "commands");
    if (!Array.isArray(commands)) commands = listOf(await api(base() + "/commands"), "commands");
    showCommands(commands);
  }

  let historyLoaded = 0;
  async function refreshHistory() {
    // The charts move by the hour: redraw at most once a minute.
    if (Date.now() - historyLoaded < 60000) return;
    historyLoaded = Date.now();
    drawHistory(await api(base() + "/history?hours=" + HOURS));
  }

  // The page holds only the buttons the signed-in role may use.
  function setUpButtons() {
    const error = document.getElementById("command-error");
    for (const button of document.querySelectorAll("#command-buttons button")) {
      button.addEventListener("click", async () => {
        error.hidden = true;
        button.disabled = true;
        try {
          await api(base() + "/commands", { method: "POST", json: { kind: button.dataset.kind, note: "" } });
          await refresh();
        } catch (failure) {
          error.textContent = "Could not send the command: " + failure.message;
          error.hidden = false;
        } finally {
          button.disabled = false;
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    await me();
    setUpButtons();
    live(() => Promise.all([refresh(), refreshHistory()]), (data, type) => {
      if (data && data.kiosk_code && data.kiosk_code !== code()) return false;
      // A new alert changes the alert chart at once.
      if (type === "alert_opened") historyLoaded = 0;
      return true;
    });
  });
})();
