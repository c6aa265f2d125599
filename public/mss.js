// MSS progressive enhancement for the incident report form (ES module, no deps).
//
// Loaded on every page of the app. Before the wasm has hydrated (body[data-hydrated]) it
// does two things only, for a form sent the plain way: photos picked are shrunk at once
// (a plain post never carries 4 MB camera originals), and the form's key is remembered as
// posted. The rest (previews, drafts, the offline queue) starts once hydrated. Public
// contract: window.mssReport.submit(form) -> Promise of {kind:"done",number} |
// {kind:"queued"} | {kind:"error",status,body}; never rejects.
//
// Drafts belong to a user (phones are shared): the form carries data-owner, and every
// signed-in reporter page has data-user on its frame. A draft is restored only into its
// owner's form and resent only from its owner's pages. Draft states: "editing" (restorable),
// "sending" (request under way; never restored), "queued" (waiting for the network).
//
// A key the server may have used is never reused for another report: the confirmation page
// names the key it filed (?filed=) and its draft is dropped; a draft that was ever sent, or
// whose form went out as a plain post, is restored under a new key; and a 409
// (idempotency_key_reused: the server filed a different report under that key) puts the
// draft back to editing under a new key, to be checked and sent again.

const MAX_SIDE = 2048;          // longest side of a shrunk photo, px
const IDLE_TIMEOUT = 60_000;    // abort when nothing moved for this long
const RETRY_EVERY = 30_000;     // queued drafts are retried this often
const RETRY_STATUS = [408, 429, 502, 503, 504];
const DEFAULT_ACTION = "/api/incidents/create";

// ---------- i18n: every visible string comes from #mss-i18n ----------
function t(name, vars = {}) {
  const s = document.getElementById("mss-i18n")?.dataset[name] ?? "";
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// A fresh idempotency key (crypto.randomUUID needs a secure context; an intranet may serve http).
function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Keys of forms that went out as plain posts (before the script took over): written
// synchronously, since the page is about to be replaced.
const POSTED = "mss.postedKeys";
function postedKeys() {
  try { return JSON.parse(localStorage.getItem(POSTED) || "[]"); } catch { return []; }
}
function markPosted(key) {
  if (!key) return;
  try { localStorage.setItem(POSTED, JSON.stringify([key, ...postedKeys().filter((k) => k !== key)].slice(0, 50))); } catch { /* private mode */ }
}
const mayBeUsed = (draft) => !!draft.sent || postedKeys().includes(draft.key);

// ---------- draft store: IndexedDB, with an in-memory mirror ----------
// The mirror keeps the queue working for this page's lifetime when IndexedDB is
// unavailable (private mode) or a write fails (quota, Blob support).
const mem = new Map();
let dbPromise;
function db() {
  dbPromise ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open("mss", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("drafts", { keyPath: "key" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = req.onblocked = () => resolve(null);
    } catch { resolve(null); }
  });
  return dbPromise;
}
async function store(mode, op) {
  const d = await db();
  if (!d) return undefined;
  return new Promise((resolve) => {
    try {
      const tx = d.transaction("drafts", mode);
      const req = op(tx.objectStore("drafts"));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => resolve(undefined);
    } catch { resolve(undefined); }
  });
}
function putDraft(draft) { mem.set(draft.key, draft); return store("readwrite", (s) => s.put(draft)); }
function deleteDraft(key) { mem.delete(key); return store("readwrite", (s) => s.delete(key)); }
// The same draft under a new key, editable again (its old key filed something else).
async function rekeyed(draft) {
  const fresh = { ...draft, key: uuid4(), state: "editing", sent: false, savedAt: Date.now() };
  await putDraft(fresh); // the new copy first: a tab closed in between loses nothing
  await deleteDraft(draft.key);
  return fresh;
}
const keyReused = (res) => res.kind === "error" && res.status === 409;
// The signed-in reporter, or "" (login page, desk pages): nothing is flushed there.
function currentUser() { return document.querySelector("[data-user]")?.dataset.user || ""; }
const owns = (draft, user) => !!user && draft.owner === user;
async function allDrafts() {
  const byKey = new Map(((await store("readonly", (s) => s.getAll())) || []).map((d) => [d.key, d]));
  for (const d of mem.values()) if (!byKey.has(d.key) || byKey.get(d.key).savedAt < d.savedAt) byKey.set(d.key, d);
  return [...byKey.values()];
}

// Once per page load, before anything else reads the store: a draft without an owner
// (older format) belongs to nobody and is dropped; a draft still "sending" was left by a
// tab closed mid-request and becomes "queued", so the queue resends it under the same key
// (the server then answers with the incident it already made). One readwrite transaction,
// so another tab's writes cannot interleave. The in-memory mirror is empty at this point.
const tidied = store("readwrite", (s) => {
  const req = s.openCursor();
  req.onsuccess = () => {
    const cursor = req.result;
    if (!cursor) return;
    if (!cursor.value.owner) cursor.delete();
    else if (cursor.value.state === "sending") cursor.update({ ...cursor.value, state: "queued" });
    cursor.continue();
  };
  return req;
});

// ---------- sending ----------
function toFormData(draft) {
  const fd = new FormData();
  fd.append("idempotency_key", draft.key);
  for (const [name, value] of Object.entries(draft.fields)) fd.append(name, value);
  for (const key of draft.kept) fd.append("kept_screenshot", key);
  draft.photos.forEach((blob, i) => fd.append("screenshots", blob, `photo-${i + 1}.jpg`));
  return fd;
}

// One POST. The timeout is an *idle* timeout (reset on every progress event) rather
// than a total one, so a 9-photo upload on a slow link is not aborted while moving.
function post(draft, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    let timer;
    const poke = () => { clearTimeout(timer); timer = setTimeout(() => xhr.abort(), IDLE_TIMEOUT); };
    const queued = () => { clearTimeout(timer); resolve({ kind: "queued" }); };
    xhr.open("POST", draft.action || DEFAULT_ACTION);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => { poke(); if (e.lengthComputable && onProgress) onProgress(Math.round((100 * e.loaded) / e.total)); };
    xhr.onprogress = poke;
    xhr.onerror = xhr.onabort = xhr.ontimeout = queued;
    xhr.onload = () => {
      clearTimeout(timer);
      const { status } = xhr;
      if (status === 0 || RETRY_STATUS.includes(status)) return resolve({ kind: "queued" });
      if (status !== 200) return resolve({ kind: "error", status, body: xhr.responseText });
      // A 200 that is not our JSON string is most likely a captive portal: retry later.
      try {
        const number = JSON.parse(xhr.responseText);
        if (typeof number === "string" && number) return resolve({ kind: "done", number });
      } catch { /* fall through */ }
      resolve({ kind: "queued" });
    };
    poke();
    xhr.send(toFormData(draft));
  });
}

// Never send the same key twice at once: a second caller shares the first request.
const inflight = new Map();
function send(draft, onProgress) {
  if (!inflight.has(draft.key)) {
    const p = post(draft, onProgress).finally(() => inflight.delete(draft.key));
    inflight.set(draft.key, p);
  }
  return inflight.get(draft.key);
}

// ---------- queue flush (every page) ----------
let flushing = false;
let retryTimer;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    await tidied;
    const user = currentUser(); // never send someone else's report under this session
    if (!user || navigator.onLine === false) return;
    const queued = (await allDrafts()).filter((d) => d.state === "queued" && owns(d, user))
      .sort((a, b) => a.savedAt - b.savedAt);
    for (const draft of queued) {
      const res = await send(draft);
      const mine = page?.form.isConnected && page.key() === draft.key;
      if (res.kind === "queued") break; // still offline: try again later
      if (res.kind === "done") {
        await deleteDraft(draft.key);
        if (mine) { page.finished(); location.assign("/report/submitted/" + encodeURIComponent(res.number) + "?filed=" + encodeURIComponent(draft.key)); return; }
        toast(t("sent", { number: res.number }), "/incidents/" + encodeURIComponent(res.number));
      } else if (keyReused(res)) {
        // Its key filed a different report: editable again under a new key, nothing lost.
        const fresh = await rekeyed(draft);
        if (mine) { page.rekey(fresh.key); page.unqueue(); }
        toast(t("queuedFailed", { when: new Date(draft.savedAt).toLocaleString(document.documentElement.lang || undefined) }), "/report/new");
      } else {
        // Refused (e.g. validation): back to editing so the report page restores it.
        await putDraft({ ...draft, state: "editing", savedAt: Date.now() });
        if (mine) page.unqueue();
        toast(t("queuedFailed", { when: new Date(draft.savedAt).toLocaleString(document.documentElement.lang || undefined) }), "/report/new");
      }
    }
  } finally {
    flushing = false;
    scheduleRetry();
  }
}
async function scheduleRetry() {
  clearTimeout(retryTimer);
  const user = currentUser();
  if (user && (await allDrafts()).some((d) => d.state === "queued" && owns(d, user))) retryTimer = setTimeout(flush, RETRY_EVERY);
}

function toast(text, href) {
  const el = document.createElement("div");
  el.className = "toast";
  el.setAttribute("role", "status");
  el.innerHTML = "<a></a>";
  el.firstChild.href = href;
  el.firstChild.textContent = t("view");
  el.prepend(text + " ");
  document.body.append(el);
  setTimeout(() => el.remove(), 8000);
}

// ---------- photos ----------
async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    // Fallback for browsers without createImageBitmap(Blob) options; <img> applies EXIF orientation.
    const url = URL.createObjectURL(file);
    try { const img = new Image(); img.src = url; await img.decode(); return img; }
    finally { URL.revokeObjectURL(url); }
  }
}
// Re-encoding through a canvas also drops EXIF/GPS; a GIF becomes its first frame.
async function shrink(file) {
  const src = await decode(file);
  const w0 = src.naturalWidth || src.width, h0 = src.naturalHeight || src.height;
  if (!w0 || !h0) throw new Error("empty image");
  const scale = Math.min(1, MAX_SIDE / Math.max(w0, h0));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(w0 * scale));
  canvas.height = Math.max(1, Math.round(h0 * scale));
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff"; // transparent PNG areas would otherwise turn black in JPEG
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(src, 0, 0, canvas.width, canvas.height);
  src.close?.();
  const blob = await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.85));
  canvas.width = canvas.height = 0; // release the bitmap memory early on phones
  if (!blob) throw new Error("encode failed");
  return blob;
}

// ---------- the report form ----------
let page = null; // set while the report form is on this page

function enhance(form) {
  const list = form.querySelector("[data-photo-list]");
  const box = form.querySelector("[data-photos]");
  const input = form.querySelector("[data-photo-input]");
  const max = Number(box?.dataset.max) || 9;
  const blobs = new WeakMap(); // preview li -> shrunk Blob
  const keyInput = form.elements.namedItem("idempotency_key");
  const action = new URL(form.getAttribute("action") || DEFAULT_ACTION, location.href).href;
  // Without an owner nothing is stored: such a draft could never be restored or sent.
  const owner = form.dataset.owner || "";
  // Edits while sending stay "sending", edits after a queued submit stay "queued"
  // (the newest version is the one that gets sent).
  let state = "editing";
  let sent = false;       // a request with this key went out (the server may have filed it)
  let done = false;       // after "done" no late debounced save may resurrect the draft
  let saveTimer;          // set only while a debounced save is pending
  let photoWork = Promise.resolve(); // photos are processed one at a time, in order

  const items = () => [...list.querySelectorAll("li.photo")];
  const fields = () => {
    const out = {};
    for (const el of form.elements) {
      // Disabled fields are kept on purpose: the page may disable inputs while sending.
      if (!el.name || ["file", "submit", "button", "reset"].includes(el.type)) continue;
      if (el.name === "idempotency_key" || el.name === "kept_screenshot") continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      out[el.name] = el.value;
    }
    return out;
  };
  const snapshot = () => ({
    key: keyInput.value, owner, state, sent, action, fields: fields(),
    photos: items().map((li) => blobs.get(li)).filter(Boolean),
    kept: [...form.querySelectorAll('input[name="kept_screenshot"]')].map((i) => i.value),
    savedAt: Date.now(),
  });
  const persist = (draft) => (owner ? putDraft(draft) : undefined);
  const cancelSave = () => { clearTimeout(saveTimer); saveTimer = undefined; };
  // A form detached by client-side navigation must not write its stale copy over
  // (or back after the deletion of) the draft the current form has taken over.
  const save = () => { cancelSave(); return done || !form.isConnected ? undefined : persist(snapshot()); };
  const saveSoon = () => { cancelSave(); saveTimer = setTimeout(save, 300); };

  const showError = (msg) => {
    let p = box.querySelector(".photo-error");
    if (!msg) return p?.remove();
    if (!p) { p = document.createElement("p"); p.className = "photo-error"; p.setAttribute("role", "alert"); box.append(p); }
    p.textContent = msg;
  };
  const refresh = () => {
    items().forEach((li, i) => li.querySelector(".photo-remove")?.setAttribute("aria-label", t("photoRemove", { n: i + 1 })));
    const full = items().length >= max;
    input.disabled = full;
    input.closest(".photo-add")?.classList.toggle("photo-add-full", full);
  };
  const addPreview = (blob) => {
    const li = document.createElement("li");
    li.className = "photo"; // aria-label is set by refresh()
    li.innerHTML = '<img alt=""><button type="button" class="photo-remove">×</button>';
    li.firstChild.src = URL.createObjectURL(blob);
    blobs.set(li, blob);
    list.append(li);
  };
  const addFiles = (files) => {
    photoWork = photoWork.then(async () => {
      showError("");
      for (const file of files) {
        if (items().length >= max) { showError(t("photoTooMany")); break; }
        try { addPreview(await shrink(file)); } catch { showError(t("photoBad")); }
        refresh();
      }
      await save();
    });
    return photoWork;
  };

  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = ""; // the raw files must never be posted
    addFiles(files);
  });
  list.addEventListener("click", (e) => {
    const li = e.target.closest(".photo-remove")?.closest("li.photo");
    if (!li) return;
    const img = li.querySelector("img");
    if (img?.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    li.remove(); // a kept photo's hidden input goes with it
    showError("");
    refresh();
    save();
  });
  document.addEventListener("paste", (e) => {
    if (page?.form !== form || !form.isConnected || !e.clipboardData) return;
    const cd = e.clipboardData;
    let files = [...cd.files];
    if (!files.length) files = [...cd.items].filter((i) => i.kind === "file").map((i) => i.getAsFile()).filter(Boolean);
    files = files.filter((f) => f.type.startsWith("image/"));
    if (!files.length) return;
    // Pasting rich text (e.g. from an office app) into a field carries an image too: keep the text paste.
    const editable = e.target.closest?.("input, textarea, [contenteditable]");
    if (editable && cd.types.includes("text/plain")) return;
    e.preventDefault();
    addFiles(files);
  });
  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);

  const progress = form.querySelector("[data-progress]");
  const note = form.querySelector("[data-queued-note]");
  const showProgress = (percent) => {
    if (!progress) return;
    progress.hidden = false;
    progress.querySelector("progress")?.setAttribute("value", percent);
    const text = progress.querySelector("[data-progress-text]");
    if (text) text.textContent = t("uploading", { percent });
  };

  async function restoreDraft() {
    // A page showing server-kept photos is the server's re-render of a failed post: it wins.
    if (list.querySelector("li[data-kept]")) return;
    // Never a "sending" draft: the server may have filed it already under its key.
    const draft = (await allDrafts()).filter((d) => d.state === "editing" && owns(d, owner) && d.key !== keyInput.value)
      .sort((a, b) => b.savedAt - a.savedAt)[0];
    if (!draft) return;
    const oldKey = mayBeUsed(draft) ? draft.key : null;
    if (!oldKey) {
      keyInput.value = draft.key; // resending under the same key can never make a second incident
    }
    for (const [name, value] of Object.entries(draft.fields)) {
      const el = form.elements.namedItem(name);
      if (!el) continue;
      if (el instanceof RadioNodeList || el.type === "radio") {
        const radios = el instanceof RadioNodeList ? [...el] : [el];
        radios.forEach((r) => (r.checked = r.value === value));
        radios.find((r) => r.checked)?.dispatchEvent(new Event("change", { bubbles: true }));
        continue;
      }
      el.value = value;
      // Let the page (character counters, wasm signals) see the restored values.
      if (el.type !== "hidden") el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
    }
    draft.photos.forEach(addPreview);
    refresh();
    await save(); // under the form's key (a new one, if the draft's may have been used) ...
    // ... and only then the old copy goes: the server may have filed it under its key.
    if (oldKey) await deleteDraft(oldKey);
  }
  async function restore() {
    await restoreDraft();
    // Files picked before hydration never fired our change handler (after the restore,
    // or the restore would find their freshly saved draft and add them twice).
    if (input.files?.length) input.dispatchEvent(new Event("change"));
  }

  async function submit() {
    await photoWork;
    cancelSave();
    // Marked before the request: if the tab closes once the server has filed it, the next
    // form must not restore it (its key is used); the queue resends it instead.
    state = "sending";
    sent = true;
    const draft = snapshot();
    await persist(draft);
    let res = navigator.onLine === false ? { kind: "queued" } : await send(draft, showProgress);
    if (progress) progress.hidden = true;
    if (res.kind === "done") {
      done = true;
      await deleteDraft(draft.key);
      return res;
    }
    // Nothing was stored, so nothing can be queued: say so rather than promise a resend.
    if (res.kind === "queued" && !owner) res = { kind: "error", status: 0, body: "offline" };
    if (keyReused(res)) {
      // A different report was filed under this key: the page says so, and sending again
      // files this one, under a new key (saved below before the old copy goes).
      keyInput.value = uuid4();
      sent = false;
    }
    state = res.kind === "queued" ? "queued" : "editing"; // refused: editable (and restorable) again
    // Written directly, not through save(): the state change must land even if the form
    // was detached meanwhile (its content is still the newest for this key).
    await persist(snapshot());
    if (keyInput.value !== draft.key) await deleteDraft(draft.key);
    if (state === "queued") {
      if (note) { note.textContent = t("queued"); note.hidden = false; }
      scheduleRetry();
    }
    return res;
  }

  refresh();
  return page = {
    form, restore, submit,
    key: () => keyInput.value,
    savePending: () => { if (saveTimer) save(); },
    finished: () => { done = true; cancelSave(); },
    rekey: (key) => { keyInput.value = key; sent = false; },
    unqueue: () => { state = "editing"; if (note) note.hidden = true; },
  };
}

// ---------- before the wasm: plain posts ----------
const hydrated = () => !!document.body?.dataset.hydrated;

// The confirmation names the key it filed: its draft (one saved while a plain post was on
// its way, say) must never come back as a new report.
{
  const filed = location.pathname.startsWith("/report/submitted/") && new URLSearchParams(location.search).get("filed");
  if (filed) { markPosted(filed); tidied.then(() => deleteDraft(filed)); }
}

// Photos picked before the wasm took over are shrunk in place at once (the input then
// holds the small JPEGs), so a plain post sends a few hundred KB, not 4 MB originals.
const shrinking = new WeakMap(); // input -> Promise while its files are being shrunk
const small = new WeakSet();     // FileLists we made
function shrinkInPlace(input) {
  const files = [...(input.files || [])];
  if (!files.length || small.has(input.files) || typeof DataTransfer === "undefined") return;
  const work = (async () => {
    const dt = new DataTransfer();
    for (const [i, file] of files.entries()) {
      try {
        const blob = await shrink(file);
        dt.items.add(new File([blob], `photo-${i + 1}.jpg`, { type: "image/jpeg" }));
      } catch {
        dt.items.add(file); // not a picture the browser can read: the server says so
      }
    }
    // Picked again meanwhile, or taken over by the wasm: leave the newer choice alone.
    if (!hydrated() && input.isConnected && input.files?.length === files.length && [...input.files].every((f, i) => f === files[i])) {
      input.files = dt.files;
      small.add(input.files);
    }
  })();
  const done = work.finally(() => { if (shrinking.get(input) === done) shrinking.delete(input); });
  shrinking.set(input, done);
}
document.addEventListener("change", (e) => {
  const input = e.target;
  if (!hydrated() && input instanceof HTMLInputElement && input.matches("form[data-report-form] [data-photo-input]")) shrinkInPlace(input);
});
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (hydrated() || !(form instanceof HTMLFormElement) || !form.matches("[data-report-form]")) return;
  const input = form.querySelector("[data-photo-input]");
  const pending = input && shrinking.get(input);
  const key = form.elements.namedItem("idempotency_key")?.value;
  if (pending) {
    // Tapped "提交" while photos are still being shrunk: send once they are. If the page
    // hydrated meanwhile, its script has the photos now: it sends, the enhanced way.
    e.preventDefault();
    pending.then(() => {
      if (hydrated()) return form.requestSubmit();
      markPosted(key);
      form.submit();
    });
    return;
  }
  markPosted(key);
}, true);

// ---------- start ----------
function whenHydrated() {
  return new Promise((resolve) => {
    if (document.body.dataset.hydrated) return resolve();
    const mo = new MutationObserver(() => {
      if (document.body.dataset.hydrated) { mo.disconnect(); resolve(); }
    });
    mo.observe(document.body, { attributes: true, attributeFilter: ["data-hydrated"] });
  });
}

// Tab closed / app switched: write a pending edit now instead of waiting for the debounce.
// Registered once, for the current form only (save() also ignores a detached one).
addEventListener("pagehide", () => page?.savePending());
document.addEventListener("visibilitychange", () => { if (document.hidden) page?.savePending(); });

const apis = new WeakMap(); // form element -> its enhancement
function enhanceNew() {
  for (const form of document.querySelectorAll("form[data-report-form]")) {
    if (apis.has(form)) continue;
    const api = enhance(form);
    api.restoring = api.restore();
    apis.set(form, api);
  }
}
const ready = whenHydrated().then(async () => {
  await tidied; // restore and submit see the store with leftovers requeued
  enhanceNew();
  // Client-side route changes may render the form later, without a page load.
  new MutationObserver(enhanceNew).observe(document.body, { childList: true, subtree: true });
  if (page) await page.restoring;
});

window.mssReport = {
  async submit(form) {
    try {
      await ready;
      const api = apis.get(form) ?? enhance(form); // (a form outside the contract: no restore)
      await api.restoring;
      return await api.submit();
    } catch (err) {
      // The contract says never reject; the draft (if saved) stays for the next visit.
      console.error("mssReport.submit", err);
      return { kind: "error", status: 0, body: String(err) };
    }
  },
};

// The queue is flushed on every page once hydrated (toasts must not disturb hydration;
// after 10 s without wasm we flush anyway), and whenever the network comes back.
Promise.race([ready, new Promise((r) => setTimeout(r, 10_000))]).then(flush);
addEventListener("online", flush);
