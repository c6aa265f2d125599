// The desk's keyboard and bulk picking (desktop). Everything here is a shortcut for what the
// page already does with plain links and forms, so the desk works the same without it.
//
//   j / k   next / previous row of the queue       o or Enter   open it
//   x       tick the row for a bulk action          c            claim (the row, or this incident)
//   r       reply to the reporter                   u            back to the queue
//   ?       show or hide the list of shortcuts      Esc          hide it
const typing = (el) => !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
const rows = () => [...document.querySelectorAll("tr.queue-row")];
let current = -1;

function select(i) {
  const list = rows();
  if (!list.length) return false;
  current = Math.max(0, Math.min(list.length - 1, i));
  list.forEach((row, n) => row.classList.toggle("row-current", n === current));
  const row = list[current];
  row.scrollIntoView({ block: "nearest" });
  row.querySelector("a.incident-number")?.focus({ preventScroll: true });
  return true;
}

function currentRow() {
  const list = rows();
  return current >= 0 && current < list.length ? list[current] : null;
}

function help(show) {
  const box = document.getElementById("desk-keys");
  if (!box) return false;
  box.hidden = show === undefined ? !box.hidden : !show;
  if (!box.hidden) box.querySelector("button")?.focus();
  return true;
}

// An incident opened with #act-reply (or any action's id) opens that form, ready to type.
function openForm(id) {
  const target = id && document.getElementById(id);
  if (target?.tagName !== "DETAILS") return false;
  target.open = true;
  target.scrollIntoView({ block: "nearest" });
  (target.querySelector("textarea") || target.querySelector("input:not([type=hidden]), select"))?.focus();
  return true;
}
const openFromHash = () => openForm(location.hash.slice(1));

function act(key) {
  const row = currentRow();
  switch (key) {
    case "j": return select(current + 1);
    case "k": return select(current < 0 ? 0 : current - 1);
    case "o": case "Enter": {
      const link = row?.querySelector("a.incident-number");
      if (link) location.href = link.href;
      return !!link;
    }
    case "x": {
      const box = row?.querySelector("td.pick input[type=checkbox]");
      if (box) box.click();
      return !!box;
    }
    case "c": {
      const form = row ? row.querySelector("form.claim-form") : document.querySelector("#act-claim form");
      if (form) form.requestSubmit();
      return !!form;
    }
    case "r": {
      const link = row?.querySelector("a.incident-number");
      if (link) { location.href = link.href + "#act-reply"; return true; }
      // Not through location.hash: the router would render the page again.
      return openForm("act-reply");
    }
    case "u": {
      if (!document.querySelector(".desk-incident")) return false;
      location.href = "/desk";
      return true;
    }
    case "?": return help();
    case "Escape": return help(false);
    default: return false;
  }
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typing(e.target)) return;
  // Enter on a link or button does what it always does.
  if (e.key === "Enter" && /^(A|BUTTON)$/.test(e.target?.tagName)) return;
  if (!document.querySelector(".desk")) return;
  if (act(e.key)) e.preventDefault();
});

// Bulk picking: a box to tick every row, and the count of picked rows in the bulk bar.
function countPicked() {
  const label = document.querySelector(".bulk-count");
  const boxes = [...document.querySelectorAll("td.pick input[type=checkbox]")];
  const all = document.querySelector("[data-pick-all]");
  const picked = boxes.filter((b) => b.checked).length;
  if (label?.dataset.pickedLabel && picked) label.textContent = label.dataset.pickedLabel.replace("{n}", picked);
  if (all) { all.checked = picked > 0 && picked === boxes.length; all.indeterminate = picked > 0 && picked < boxes.length; }
  document.querySelectorAll("tr.queue-row").forEach((row) => {
    row.classList.toggle("row-picked", !!row.querySelector("td.pick input:checked"));
  });
}

document.addEventListener("change", (e) => {
  const target = e.target;
  if (!(target instanceof HTMLInputElement)) return;
  if (target.matches("[data-pick-all]")) {
    document.querySelectorAll("td.pick input[type=checkbox]").forEach((b) => { b.checked = target.checked; });
  }
  if (target.closest("td.pick, th.pick")) countPicked();
});

// The bulk bar shows the assignee only for "assign" and the category only for "categorize".
function bulkFields() {
  const action = document.querySelector("#bulk select[name=action]");
  if (!action) return;
  document.querySelectorAll("#bulk [data-for]").forEach((field) => { field.hidden = field.dataset.for !== action.value; });
}
document.addEventListener("change", (e) => { if (e.target instanceof Element && e.target.matches("#bulk select[name=action]")) bulkFields(); });

document.addEventListener("click", (e) => {
  const toggle = e.target instanceof Element && e.target.closest("[data-keys-toggle]");
  if (toggle) { e.preventDefault(); help(); }
});

// "插入知识库文章": the article's link goes into the message at the cursor.
document.addEventListener("click", (e) => {
  const pick = e.target instanceof Element && e.target.closest("[data-kb-link]");
  if (!pick) return;
  const body = pick.closest("form")?.querySelector("textarea[name=body]");
  if (!body) return;
  const link = pick.dataset.kbLink;
  const at = body.selectionStart ?? body.value.length;
  const end = body.selectionEnd ?? at;
  const before = body.value.slice(0, at);
  const spaced = before && !/\s$/.test(before) ? ` ${link}` : link;
  body.value = before + spaced + body.value.slice(end);
  body.selectionStart = body.selectionEnd = at + spaced.length;
  body.dispatchEvent(new Event("input", { bubbles: true }));
  body.focus();
});

// The editor's images: uploaded without leaving the page, their Markdown put in at the cursor.
document.addEventListener("submit", async (e) => {
  const form = e.target instanceof HTMLFormElement && e.target.matches("[data-kb-images]") ? e.target : null;
  if (!form) return;
  e.preventDefault();
  const body = document.querySelector(".kb-form textarea[name=body]");
  const error = form.querySelector("[data-kb-images-error]");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  error.hidden = true;
  try {
    const res = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.message || res.statusText);
    const text = answer.images.map((i) => i.markdown).join("\n");
    const at = body.selectionStart ?? body.value.length;
    body.value = body.value.slice(0, at) + (at > 0 && body.value[at - 1] !== "\n" ? "\n" : "") + text + "\n" + body.value.slice(body.selectionEnd ?? at);
    body.dispatchEvent(new Event("input", { bubbles: true }));
    form.reset();
  } catch (err) {
    error.textContent = form.dataset.failed || String(err.message || err);
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

function ready() {
  document.querySelectorAll("[data-pick-all]").forEach((b) => { b.hidden = false; });
  document.querySelectorAll("[data-keys-toggle]").forEach((b) => { b.hidden = false; });
  openFromHash();
  countPicked();
  bulkFields();
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
// The queue is rendered again on navigation (filters, tabs): wire the new rows up.
new MutationObserver(() => {
  document.querySelectorAll("[data-pick-all][hidden], [data-keys-toggle][hidden]").forEach((b) => { b.hidden = false; });
  if (document.querySelector("#bulk [data-for]:not([hidden])")) bulkFields();
}).observe(document.documentElement, { childList: true, subtree: true });
addEventListener("hashchange", openFromHash);
