"use strict";
// Shared by the fleet pages: API calls with the session cookie and CSRF header, the signed-in
// staff member, live updates from the server's event stream, and small formatting helpers.
(function () {
  const CSRF_KEY = "fleet.csrf";
  const LOGIN = "/fleet/login";
  const FULL_REFRESH_SECONDS = 60;
  const EVENT_KINDS = ["heartbeat", "alert_opened", "alert_closed", "alert_acknowledged",
    "command_changed", "screenshot"];

  function toLogin() {
    const next = encodeURIComponent(location.pathname);
    location.assign(LOGIN + "?next=" + next);
  }

  async function api(path, options) {
    const init = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    init.headers = Object.assign({ Accept: "application/json" }, init.headers);
    const method = (init.method || "GET").toUpperCase();
    if (method !== "GET") {
      const token = sessionStorage.getItem(CSRF_KEY);
      if (token) init.headers["X-CSRF-Token"] = token;
    }
    if (init.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.json);
      delete init.json;
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      toLogin();
      throw new Error("signed out");
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = text; }
    if (!response.ok) {
      const detail = body && (body.message || body.detail || body.error || body.code);
      const error = new Error(typeof detail === "string" ? detail : "HTTP " + response.status);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // A list may come bare or wrapped in an object under a telling name.
  function listOf(body, ...names) {
    if (Array.isArray(body)) return body;
    if (!body) return [];
    for (const name of names.concat(["items", "results"])) {
      if (Array.isArray(body[name])) return body[name];
    }
    return [];
  }

  // A field of a record, looked for under several names and in its latest heartbeat.
  function field(record, ...names) {
    if (!record) return undefined;
    const places = [record, record.heartbeat, record.last_heartbeat, record.latest_heartbeat,
      record.status, record.health];
    for (const place of places) {
      if (!place || typeof place !== "object") continue;
      for (const name of names) {
        if (place[name] !== undefined && place[name] !== null) return place[name];
      }
    }
    return undefined;
  }

  let staff = null;

  async function me() {
    if (staff) return staff;
    staff = await api("/api/v1/staff/me");
    const token = field(staff, "csrf_token");
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    const who = document.getElementById("who");
    if (who) who.textContent = staff.username + " (" + role() + ")";
    return staff;
  }

  function role() {
    return document.body.dataset.role || field(staff || {}, "role") || "viewer";
  }

  async function logout() {
    try {
      await api("/api/v1/staff/logout", { method: "POST" });
    } catch (_) { /* the session ends at the server or lapses on its own */ }
    sessionStorage.removeItem(CSRF_KEY);
    location.assign(LOGIN);
  }

  // Calls refresh at once and on every server event (coalesced). Polling is only the fallback:
  // every few seconds while the event stream is down, and a slow full refresh besides.
  function live(refresh, onEvent) {
    const state = document.getElementById("live-state");
    const show = (words, mode) => {
      if (state) state.textContent = words;
      document.body.dataset.live = mode;
    };
    let pending = null;
    const run = () => refresh().catch((error) => show("Update failed: " + error.message, "error"));
    const soon = () => {
      if (pending) return;
      pending = setTimeout(() => { pending = null; run(); }, 150);
    };
    run();
    const fallbackSeconds = Number(document.body.dataset.pollSeconds || 5);
    let streaming = false;
    let sinceFull = 0;
    setInterval(() => {
      sinceFull += fallbackSeconds;
      if (!streaming || sinceFull >= FULL_REFRESH_SECONDS) { sinceFull = 0; run(); }
    }, fallbackSeconds * 1000);
    if (!window.EventSource) {
      show("Updating every " + fallbackSeconds + " s", "polling");
      return;
    }
    const source = new EventSource("/api/v1/fleet/events", { withCredentials: true });
    const handle = (message) => {
      let data = null;
      try { data = JSON.parse(message.data); } catch (_) { data = message.data; }
      if (onEvent && onEvent(data, message.type) === false) return;
      soon();
    };
    source.onopen = () => {
      // Whatever happened while disconnected is fetched once the stream is back.
      if (!streaming) soon();
      streaming = true;
      show("Live", "open");
    };
    source.onerror = () => { streaming = false; show("Reconnecting…", "retry"); };
    source.onmessage = handle;
    for (const type of EVENT_KINDS) source.addEventListener(type, handle);
  }

  function text(tag, content, className) {
    const node = document.createElement(tag);
    if (content !== undefined && content !== null) node.textContent = String(content);
    if (className) node.className = className;
    return node;
  }

  function when(value) {
    if (!value) return "";
    const date = new Date(value);
    return isNaN(date) ? String(value) : date.toLocaleString();
  }

  function duration(seconds) {
    if (seconds === undefined || seconds === null || seconds === "") return "";
    let rest = Math.max(0, Math.floor(Number(seconds)));
    const days = Math.floor(rest / 86400); rest -= days * 86400;
    const hours = Math.floor(rest / 3600); rest -= hours * 3600;
    const minutes = Math.floor(rest / 60);
    if (days) return days + " d " + hours + " h";
    if (hours) return hours + " h " + minutes + " min";
    return minutes + " min";
  }

  function label(value) {
    if (value === undefined || value === null) return "";
    const words = String(value).replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("logout");
    if (button) button.addEventListener("click", logout);
  });

  window.Fleet = { api, listOf, field, me, role, live, text, when, duration, label, CSRF_KEY };
})();
