"use strict";
// The fleet overview: one row per kiosk and the open alerts, kept current by server events.
(function () {
  const { api, listOf, field, me, role, live, text, when, duration, label } = Fleet;
  const DEVICES = ["camera", "fingerprint", "printer", "scanner"];
  const ACK_ROLES = ["operator"];

  function isOnline(kiosk) {
    const online = field(kiosk, "online", "is_online");
    if (online !== undefined) return Boolean(online);
    return field(kiosk, "connection", "state") === "online";
  }

  function devices(kiosk) {
    const found = field(kiosk, "devices");
    if (Array.isArray(found)) return found;
    if (found && typeof found === "object") {
      return Object.entries(found).map(([device, report]) => Object.assign({ device }, report));
    }
    return [];
  }

  function deviceCell(report) {
    const cell = document.createElement("td");
    if (!report) {
      cell.append(text("span", "—", "muted"));
      return cell;
    }
    const health = String(report.health || "absent");
    const badge = text("span", label(health), "health health-" + health);
    cell.append(badge);
    if (report.paper && report.paper !== "ok") {
      const paper = report.paper === "out" ? "Paper out" : "Paper near end";
      cell.append(" ", text("span", paper, "paper paper-" + report.paper));
    }
    if (report.detail) cell.title = report.detail;
    return cell;
  }

  function kioskRow(kiosk) {
    const code = field(kiosk, "code", "kiosk_code");
    const row = document.createElement("tr");
    row.dataset.code = code;
    const online = isOnline(kiosk);
    row.dataset.online = online ? "yes" : "no";

    const name = document.createElement("th");
    name.scope = "row";
    const link = text("a", code);
    link.href = "/fleet/kiosks/" + encodeURIComponent(code);
    name.append(link);
    const title = field(kiosk, "name");
    if (title) name.append(text("div", title, "muted small"));
    row.append(name);

    const status = document.createElement("td");
    status.append(text("span", online ? "Online" : "Offline", "badge " + (online ? "online" : "offline")));
    if (field(kiosk, "in_service") === false) status.append(" ", text("span", "Out of service", "badge oos"));
    const seen = field(kiosk, "last_seen", "last_seen_at", "last_heartbeat_at");
    if (seen) status.append(text("div", "Seen " + when(seen), "muted small"));
    row.append(status);

    row.append(text("td", label(field(kiosk, "screen", "step") || "")));
    const byKind = {};
    for (const report of devices(kiosk)) byKind[report.device || report.kind] = report;
    for (const device of DEVICES) row.append(deviceCell(byKind[device]));
    const backlog = field(kiosk, "backlog", "outbox_backlog");
    const backlogCell = text("td", backlog === undefined ? "" : backlog, "num");
    if (Number(backlog) > 0) backlogCell.classList.add("attention");
    const rejected = Number(field(kiosk, "outbox_rejected") || 0);
    const stuck = Number(field(kiosk, "outbox_stuck") || 0);
    if (rejected > 0) backlogCell.append(text("div", rejected + " rejected", "small attention"));
    if (stuck > 0) backlogCell.append(text("div", stuck + " stuck", "small attention"));
    row.append(backlogCell);
    row.append(text("td", field(kiosk, "software_version", "version") || ""));
    row.append(text("td", duration(field(kiosk, "uptime_seconds"))));
    const today = field(kiosk, "submissions_today");
    row.append(text("td", today === undefined ? "" : today, "num"));
    return row;
  }

  async function refreshKiosks() {
    const kiosks = listOf(await api("/api/v1/fleet/kiosks"), "kiosks");
    kiosks.sort((a, b) => String(field(a, "code")).localeCompare(String(field(b, "code"))));
    const body = document.getElementById("kiosk-rows");
    const rows = kiosks.map(kioskRow);
    if (!rows.length) {
      const empty = document.createElement("tr");
      const cell = text("td", "No kiosks registered.", "muted");
      cell.colSpan = 11;
      empty.append(cell);
      rows.push(empty);
    }
    body.replaceChildren(...rows);
  }

  function alertTime(alert) {
    return field(alert, "opened_at", "raised_at", "created_at") || "";
  }

  function alertTitle(alert) {
    const device = field(alert, "device");
    return label(field(alert, "kind") || "alert") + (device ? " (" + device + ")" : "");
  }

  function alertItem(alert) {
    const id = field(alert, "id", "alert_id");
    const item = document.createElement("li");
    item.dataset.alertId = id;
    const severity = String(field(alert, "severity", "level") || "warning");
    item.className = "alert severity-" + severity;
    const head = text("div", "", "alert-head");
    const code = field(alert, "kiosk_code", "kiosk", "code");
    if (code) {
      const link = text("a", code);
      link.href = "/fleet/kiosks/" + encodeURIComponent(code);
      head.append(link, " · ");
    }
    head.append(text("strong", alertTitle(alert)));
    item.append(head);
    const message = field(alert, "detail", "message");
    if (message) item.append(text("div", message));
    item.append(text("div", when(alertTime(alert)), "muted small"));
    const acknowledgedBy = field(alert, "acknowledged_by");
    if (acknowledgedBy) {
      item.classList.add("acknowledged");
      item.append(text("div", "Acknowledged by " + acknowledgedBy, "muted small"));
    } else if (ACK_ROLES.includes(role())) {
      const button = text("button", "Acknowledge", "ack");
      button.type = "button";
      button.setAttribute("aria-label", "Acknowledge " + alertTitle(alert) + (code ? " on " + code : ""));
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await api("/api/v1/fleet/alerts/" + encodeURIComponent(id) + "/ack", { method: "POST" });
          button.replaceWith(text("div", "Acknowledged by you", "muted small"));
          item.classList.add("acknowledged");
        } catch (error) {
          button.disabled = false;
          item.append(text("div", "Could not acknowledge: " + error.message, "error"));
        }
      });
      item.append(button);
    }
    return item;
  }

  function updateAlertCount() {
    const count = document.getElementById("alerts").children.length;
    document.getElementById("alert-count").textContent = String(count);
    document.getElementById("no-alerts").hidden = count > 0;
  }

  async function refreshAlerts() {
    const alerts = listOf(await api("/api/v1/fleet/alerts?open=1"), "alerts");
    alerts.sort((a, b) => String(alertTime(b)).localeCompare(String(alertTime(a))));
    document.getElementById("alerts").replaceChildren(...alerts.map(alertItem));
    updateAlertCount();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    await me();
    live(() => Promise.all([refreshKiosks(), refreshAlerts()]));
  });
})();
