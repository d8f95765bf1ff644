// The mobile-team pages of the staff console: plan, change and cancel visits; preview the announcement in six
// languages with who gets it; send now or at a time; follow delivery; print a location's QR poster.
// Uses console.js's helpers ($, t, api, lang, csrf). Everything typed is shown with textContent, never as HTML.
"use strict";

Object.assign(WORDS.en, {
  nav_visits: "Visits", visits: "Mobile-team visits", v_new: "Plan a visit", v_show_cancelled: "Show cancelled visits",
  v_when: "When", v_location: "Location", v_team: "Team", v_announcement: "Announcement", v_delivered: "Delivered",
  v_none: "No visits planned.", v_locations: "Housing location(s)", v_date: "Date", v_from: "From", v_to: "To",
  v_languages: "Languages the team speaks", v_topics: "Topics", v_note: "Note for residents (optional)",
  v_note_languages: "The note is written in (sent only in these languages; nothing is translated)",
  v_save: "Save (nothing is sent yet)", v_close: "Close", v_edit: "Change", v_poster: "QR poster",
  v_cancel_note: "Reason for residents (optional)", v_written_in: "written in", v_for_operators: "not sent (for operators)",
  v_cancel_visit: "Cancel visit", v_preview: "Preview in six languages", v_kind: "Message",
  k_announcement: "announcement", k_reminder: "reminder", k_change: "change", k_cancellation: "cancellation",
  v_channel: "Channel", v_residents: "Residents", v_send_now: "Send now", v_or_at: "or at", v_schedule: "Schedule",
  v_places: "Housing locations and their QR posters", v_address: "Address", v_subscribed: "Subscribed residents",
  v_delivery: "Delivery", v_refresh: "Refresh", v_plan_title: "Plan a visit", v_change_title: "Change visit",
  v_total: "Would go to {n} resident(s) now.", v_not_sent: "not sent yet", v_scheduled: "scheduled for {at}",
  v_sent: "sent", v_held: "Not sent yet: check the preview, then send now or choose a time.",
  v_state_scheduled: "Scheduled for {at}. You can still send it now or choose another time.",
  v_state_announced: "The announcement went out. Changes and a cancellation are sent by themselves; reminders follow.",
  v_state_cancelled: "This visit is cancelled.", v_subscribers: "subscribers",
  v_state_sending: "Sending: the counts below follow the delivery.",
  v_confirm_cancel: "Cancel this visit? Everyone who was told gets a cancellation.",
  v_confirm_send: "Send the announcement now to {n} resident(s)?",
  v_err_location: "Choose at least one housing location.", v_err_time: "Give the date, the start and the end time.",
  v_err_end: "The visit must end after it starts.", v_err_past: "This time is in the past: check the date and time.",
  v_err_team: "Name the team.", v_err_note_languages: "Choose the language(s) the note is written in, or leave the note empty.",
  v_err_at: "Choose the time to send it.",
  st_planned: "planned", st_changed: "changed", st_cancelled: "cancelled",
  d_queued: "queued", d_sent: "sent", d_template: "sent as WhatsApp template", d_failed: "failed",
  d_blocked: "blocked", d_cancelled: "not sent (no longer applied)",
  c_telegram: "Telegram", c_whatsapp: "WhatsApp", c_web: "web chat",
});
Object.assign(WORDS.nl, {
  nav_visits: "Bezoeken", visits: "Bezoeken van het mobiele team", v_new: "Bezoek plannen",
  v_show_cancelled: "Ook geannuleerde bezoeken", v_when: "Wanneer", v_location: "Locatie", v_team: "Team",
  v_announcement: "Aankondiging", v_delivered: "Bezorgd", v_none: "Geen bezoeken gepland.",
  v_locations: "Huisvestingslocatie(s)", v_date: "Datum", v_from: "Van", v_to: "Tot",
  v_languages: "Talen die het team spreekt", v_topics: "Onderwerpen", v_note: "Notitie voor bewoners (niet verplicht)",
  v_note_languages: "De notitie is geschreven in (alleen in deze talen verstuurd; er wordt niets vertaald)",
  v_save: "Opslaan (er wordt nog niets verstuurd)", v_close: "Sluiten", v_edit: "Wijzigen", v_poster: "QR-poster",
  v_cancel_note: "Reden voor bewoners (niet verplicht)", v_written_in: "geschreven in",
  v_for_operators: "niet versturen (alleen intern)", v_cancel_visit: "Bezoek annuleren",
  v_preview: "Voorbeeld in zes talen", v_kind: "Bericht",
  k_announcement: "aankondiging", k_reminder: "herinnering", k_change: "wijziging", k_cancellation: "annulering",
  v_channel: "Kanaal", v_residents: "Bewoners", v_send_now: "Nu versturen", v_or_at: "of op", v_schedule: "Inplannen",
  v_places: "Huisvestingslocaties en hun QR-posters", v_address: "Adres", v_subscribed: "Aangemelde bewoners",
  v_delivery: "Bezorging", v_refresh: "Vernieuwen", v_plan_title: "Bezoek plannen", v_change_title: "Bezoek wijzigen",
  v_total: "Zou nu naar {n} bewoner(s) gaan.", v_not_sent: "nog niet verstuurd", v_scheduled: "ingepland voor {at}",
  v_sent: "verstuurd", v_held: "Nog niet verstuurd: bekijk het voorbeeld en verstuur het nu of kies een tijd.",
  v_state_scheduled: "Ingepland voor {at}. Je kunt het nog nu versturen of een andere tijd kiezen.",
  v_state_announced: "De aankondiging is verstuurd. Wijzigingen en een annulering gaan vanzelf; herinneringen volgen.",
  v_state_cancelled: "Dit bezoek is geannuleerd.", v_subscribers: "aangemeld",
  v_state_sending: "Wordt verstuurd: de aantallen hieronder volgen de bezorging.",
  v_confirm_cancel: "Dit bezoek annuleren? Iedereen die het bericht kreeg, krijgt een annulering.",
  v_confirm_send: "De aankondiging nu naar {n} bewoner(s) versturen?",
  v_err_location: "Kies minstens één huisvestingslocatie.", v_err_time: "Vul de datum, de begintijd en de eindtijd in.",
  v_err_end: "Het bezoek moet eindigen na het begin.", v_err_past: "Deze tijd ligt in het verleden: controleer datum en tijd.",
  v_err_team: "Vul het team in.", v_err_note_languages: "Kies de taal of talen van de notitie, of laat de notitie leeg.",
  v_err_at: "Kies de tijd waarop het verstuurd wordt.",
  st_planned: "gepland", st_changed: "gewijzigd", st_cancelled: "geannuleerd",
  d_queued: "in de wachtrij", d_sent: "verstuurd", d_template: "verstuurd als WhatsApp-sjabloon", d_failed: "mislukt",
  d_blocked: "geblokkeerd", d_cancelled: "niet verstuurd (vervallen)",
  c_telegram: "Telegram", c_whatsapp: "WhatsApp", c_web: "webchat",
});

const AMSTERDAM = "Europe/Amsterdam";
const visitState = { locations: [], qrChannels: [], topics: [], languages: [], loaded: false, selected: null, editing: null,
  visit: null, total: 0 };

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
const dateLocale = () => (lang === "nl" ? "nl-NL" : "en-GB");

function amsterdamParts(date) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: AMSTERDAM, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  return Object.fromEntries(parts.map((part) => [part.type, part.value]));
}

// "2026-12-08T17:00": now, as the wall clock in Amsterdam (the form's times are Amsterdam time, wherever you are).
function amsterdamNow() {
  const p = amsterdamParts(new Date());
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function formatWhen(startIso, endIso) {
  const day = new Intl.DateTimeFormat(dateLocale(), { timeZone: AMSTERDAM, weekday: "short", day: "numeric", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit" });
  const time = new Intl.DateTimeFormat(dateLocale(), { timeZone: AMSTERDAM, hour: "2-digit", minute: "2-digit" });
  return endIso ? `${day.format(new Date(startIso))}–${time.format(new Date(endIso))}` : day.format(new Date(startIso));
}

function checkboxes(container, items, name, chosen, disabled) {
  container.replaceChildren();
  for (const item of items) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = item.value;
    box.checked = chosen.includes(item.value);
    box.disabled = Boolean(disabled);
    const text = document.createElement("span");
    text.textContent = item.label;
    label.append(box, text);
    container.append(label);
  }
}

const checked = (id) => Array.from(document.querySelectorAll(`#${id} input:checked`), (box) => box.value);

function posterLinks(container, code, short) {
  const key = `${code} ${lang}`;
  if (container.dataset.key === key) return;  // not rebuilt on every refresh (keeps the keyboard focus)
  container.dataset.key = key;
  container.replaceChildren();
  for (const channel of visitState.qrChannels) {
    const link = document.createElement("a");
    link.href = `/staff/locations/${encodeURIComponent(code)}/poster?channel=${channel}`;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "poster-link";
    link.textContent = short ? t("c_" + channel) : `${t("v_poster")} (${t("c_" + channel)})`;
    container.append(link, " ");
  }
}

function showPlaces() {
  const body = document.querySelector("#v-places-list tbody");
  body.replaceChildren();
  for (const place of visitState.locations) {
    const tr = document.createElement("tr");
    const posters = document.createElement("td");
    posterLinks(posters, place.code, true);
    const address = [place.address, [place.postcode, place.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
    for (const text of [place.name, address || "–", String(place.subscribers)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.append(posters);
    body.append(tr);
  }
}

async function loadVisits() {
  const [places, data] = await Promise.all([api("/staff/api/locations"),
    api(`/staff/api/visits${$("v-all").checked ? "?all=1" : ""}`)]);
  visitState.locations = places.locations;
  visitState.qrChannels = places.qr_channels;
  visitState.topics = data.topics;
  visitState.languages = data.languages;
  visitState.loaded = true;
  if ($("v-form").hidden) showPlaces();
  const body = document.querySelector("#v-list tbody");
  body.replaceChildren();
  $("v-empty").hidden = data.visits.length > 0;
  for (const visit of data.visits) {
    const tr = document.createElement("tr");
    if (visit.id === visitState.selected) tr.classList.add("selected");
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = formatWhen(visit.starts_at, visit.ends_at);
    open.addEventListener("click", () => { visitState.selected = visit.id; closeVisitForm(); loadVisitDetail().catch(showVisitError); loadVisits().catch(showVisitError); });
    const delivered = (visit.delivery.sent || 0) + (visit.delivery.template || 0);
    const total = Object.values(visit.delivery).reduce((sum, n) => sum + n, 0);
    const announcement = visit.announced ? t("v_sent") : visit.announce_at
      ? fill(t("v_scheduled"), { at: formatWhen(visit.announce_at) }) : t("v_not_sent");
    const cells = [open, `${visit.location.name}${visit.location.city ? " (" + visit.location.city + ")" : ""}`, visit.team,
      t("st_" + visit.status), announcement, total ? `${delivered} / ${total}` : "–"];
    for (const cell of cells) {
      const td = document.createElement("td");
      if (cell instanceof Node) td.append(cell); else td.textContent = cell;
      tr.append(td);
    }
    body.append(tr);
  }
}

function showVisitError(error) { $("v-detail-error").textContent = error ? String(error.message || error) : ""; }

function openVisitForm(visit) {
  visitState.editing = visit ? visit.id : null;
  $("v-form").hidden = false;
  $("v-error").textContent = "";
  $("v-form-title").textContent = t(visit ? "v_change_title" : "v_plan_title");
  const places = visitState.locations.map((place) => ({ value: place.code,
    label: `${place.name}${place.city ? " (" + place.city + ")" : ""} · ${place.subscribers} ${t("v_subscribers")}` }));
  checkboxes($("v-locations"), places, "location", visit ? [visit.location.code] : [], Boolean(visit));
  const languages = visitState.languages.map((language) => ({ value: language.code, label: language.name }));
  checkboxes($("v-languages"), languages, "language", visit ? visit.languages : []);
  checkboxes($("v-topics"), visitState.topics.map((topic) => ({ value: topic.id, label: topic[lang] || topic.en })), "topic",
    visit ? visit.topics : []);
  checkboxes($("v-note-languages"), languages, "note-language", visit ? visit.note_languages : []);
  $("v-date").value = visit ? visit.start_local.slice(0, 10) : "";
  $("v-from").value = visit ? visit.start_local.slice(11) : "";
  $("v-to").value = visit ? visit.end_local.slice(11) : "";
  $("v-team").value = visit ? visit.team : "";
  $("v-note").value = visit && visit.note ? visit.note : "";
  $("v-form").scrollIntoView({ block: "start" });
}

function closeVisitForm() { $("v-form").hidden = true; visitState.editing = null; }

// The checks the server makes too, here first so the message is in the console's language.
function visitFormProblem(values) {
  if (!visitState.editing && values.locations.length === 0) return t("v_err_location");
  if (!values.date || !values.from || !values.to) return t("v_err_time");
  if (values.to <= values.from) return t("v_err_end");
  const start = `${values.date}T${values.from}`;
  const unchangedStart = visitState.visit && visitState.editing === visitState.visit.id && visitState.visit.start_local === start;
  if (!unchangedStart && start <= amsterdamNow()) return t("v_err_past");
  if (!values.team) return t("v_err_team");
  if (values.note_languages.length && !values.note) return t("v_err_note_languages");
  return null;
}

async function saveVisit(event) {
  event.preventDefault();
  const values = { locations: checked("v-locations"), date: $("v-date").value, from: $("v-from").value, to: $("v-to").value,
    team: $("v-team").value.trim(), languages: checked("v-languages"), topics: checked("v-topics"),
    note: $("v-note").value.trim(), note_languages: checked("v-note-languages") };
  const problem = visitFormProblem(values);
  $("v-error").textContent = problem || "";
  if (problem) return;
  const body = { start: `${values.date}T${values.from}`, end: `${values.date}T${values.to}`, team: values.team,
    languages: values.languages, topics: values.topics, note: values.note, note_languages: values.note_languages };
  try {
    if (visitState.editing) {
      const visit = await api(`/staff/api/visits/${visitState.editing}`, { method: "POST", body: JSON.stringify(body) });
      visitState.selected = visit.id;
    } else {
      const data = await api("/staff/api/visits", { method: "POST",
        body: JSON.stringify({ ...body, locations: values.locations, announce: "hold" }) });
      visitState.selected = data.visits[0].id;
    }
  } catch (error) {
    $("v-error").textContent = String(error.message || error);  // the server's reason, e.g. an unknown location
    return;
  }
  closeVisitForm();
  await Promise.all([loadVisits(), loadVisitDetail()]);
}

async function loadVisitDetail() {
  if (visitState.selected === null) { $("v-detail").hidden = true; return; }
  showVisit(await api(`/staff/api/visits/${visitState.selected}`));
  await Promise.all([loadPreview(), loadDelivery()]);
}

function sendState(visit) {
  if (visit.status === "cancelled") return t("v_state_cancelled");
  if (visit.announced) return t("v_state_announced");
  if (!visit.announce_at) return t("v_held");
  if (new Date(visit.announce_at) <= new Date()) return t("v_state_sending");
  return fill(t("v_state_scheduled"), { at: formatWhen(visit.announce_at) });
}

function showVisit(visit) {
  visitState.visit = visit;
  $("v-detail").hidden = false;
  $("v-title").textContent = `${visit.location.name} · ${formatWhen(visit.starts_at, visit.ends_at)}`;
  const topics = visit.topics.map((id) => { const topic = visitState.topics.find((x) => x.id === id); return topic ? topic[lang] || topic.en : id; });
  $("v-meta").textContent = [`#${visit.id}`, t("st_" + visit.status), visit.team,
    visit.languages.map((code) => code.toUpperCase()).join(", "), topics.join(", ")].filter(Boolean).join(" · ");
  $("v-note-shown").textContent = visit.note
    ? `${t("v_note")}: ${visit.note}${visit.note_languages.length ? " [" + visit.note_languages.join(", ").toUpperCase() + "]" : " [" + t("v_for_operators") + "]"}` : "";
  posterLinks($("v-posters"), visit.location.code);
  const cancelled = visit.status === "cancelled";
  $("v-edit").hidden = cancelled;
  $("v-cancel-form").hidden = cancelled;
  const select = $("v-cancel-language");
  const chosen = select.value;
  select.replaceChildren(new Option(t("v_for_operators"), ""));
  for (const language of visitState.languages) select.append(new Option(language.name, language.code));
  select.value = chosen;
  $("v-send-form").hidden = false;
  const canSend = !cancelled && !visit.announced;
  for (const id of ["v-send-now", "v-schedule", "v-at"]) $(id).hidden = !canSend;
  $("v-send-form").querySelector("label").hidden = !canSend;
  $("v-send-state").textContent = sendState(visit);
  if (cancelled && $("v-kind").value === "announcement") $("v-kind").value = "cancellation";
}

async function loadPreview() {
  const data = await api(`/staff/api/visits/${visitState.selected}/preview?kind=${encodeURIComponent($("v-kind").value)}`);
  visitState.total = data.total;
  $("v-total").textContent = fill(t("v_total"), { n: data.total });
  fillTable("v-counts", data.counts.map((row) => ({ ...row, channel: t("c_" + row.channel), language: row.language.toUpperCase() })),
    ["channel", "language", "count"]);
  const previews = $("v-preview");
  previews.replaceChildren();
  for (const message of data.messages) {
    const article = document.createElement("article");
    article.lang = message.language;
    article.dataset.language = message.language;
    const title = document.createElement("h5");
    title.textContent = `${message.name} (${message.language.toUpperCase()})`;
    const text = document.createElement("p");
    text.textContent = message.text;
    article.append(title, text);
    for (const button of message.buttons) {
      const shown = document.createElement("span");
      shown.className = "stop-button";
      shown.textContent = button;
      article.append(shown);
    }
    previews.append(article);
  }
}

async function loadDelivery() {
  if (visitState.selected === null) return;
  const data = await api(`/staff/api/visits/${visitState.selected}/delivery`);
  const head = document.querySelector("#v-totals thead tr");
  const row = document.querySelector("#v-totals tbody tr");
  head.replaceChildren();
  row.replaceChildren();
  for (const status of data.statuses) {
    const th = document.createElement("th");
    th.textContent = t("d_" + status);
    const td = document.createElement("td");
    td.dataset.status = status;
    td.textContent = String(data.totals[status]);
    head.append(th);
    row.append(td);
  }
  fillTable("v-delivery", data.lines.map((line) => ({ ...line, kind: t("k_" + line.kind), channel: t("c_" + line.channel),
    language: line.language.toUpperCase(), status: t("d_" + line.status) })), ["kind", "channel", "language", "status", "count"]);
}

async function visitAction(path, body) {
  showVisitError(null);
  try {
    await api(`/staff/api/visits/${visitState.selected}/${path}`, { method: "POST", body: JSON.stringify(body || {}) });
    await Promise.all([loadVisits(), loadVisitDetail()]);
  } catch (error) { showVisitError(error); }
}

function initVisits() {
  // The form lists the locations, languages and topics of the first load: opened before that has arrived (a slow
  // connection, a quick click), it would stay empty, so it waits for it.
  $("v-new").addEventListener("click", async () => {
    try {
      if (!visitState.loaded) await loadVisits();
      openVisitForm(null);
    } catch (error) { showVisitError(error); }
  });
  $("v-form-close").addEventListener("click", closeVisitForm);
  $("v-form").addEventListener("submit", saveVisit);
  $("v-all").addEventListener("change", () => loadVisits().catch(showVisitError));
  $("v-edit").addEventListener("click", () => { if (visitState.visit) openVisitForm(visitState.visit); });
  $("v-kind").addEventListener("change", () => loadPreview().catch(showVisitError));
  $("v-refresh").addEventListener("click", () => Promise.all([loadDelivery(), loadVisits()]).catch(showVisitError));
  $("v-send-now").addEventListener("click", () => {
    if (window.confirm(fill(t("v_confirm_send"), { n: visitState.total }))) visitAction("send", {});
  });
  $("v-send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("v-at").value) { showVisitError(t("v_err_at")); return; }
    if ($("v-at").value <= amsterdamNow()) { showVisitError(t("v_err_past")); return; }
    visitAction("send", { at: $("v-at").value });
  });
  $("v-cancel-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!window.confirm(t("v_confirm_cancel"))) return;
    const note = $("v-cancel-note").value.trim();
    const language = $("v-cancel-language").value;
    visitAction("cancel", { note: note || null, note_languages: note && language ? [language] : null });
    $("v-cancel-note").value = "";
  });
}

async function showVisits() {
  await loadVisits();
  await loadVisitDetail();
}

// Live delivery counts while a visit is open (the worker sends in the background).
function refreshVisits() {
  if (visitState.selected !== null && !$("visits-panel").hidden) {
    Promise.all([api(`/staff/api/visits/${visitState.selected}`).then(showVisit), loadDelivery()]).catch(showVisitError);
    if ($("v-form").hidden) loadVisits().catch(showVisitError);
  }
}
