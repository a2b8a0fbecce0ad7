// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  });
  // Copy buttons (for a token shown once).
  document.querySelectorAll("button[data-copy]").forEach((btn) => {
    btn.hidden = false;
    btn.addEventListener("click", () => {
      const target = document.getElementById(btn.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
    });
  });
});

// Report editor: autosave every few seconds after typing, and keep what was typed in this
// tab (sessionStorage, cleared with the tab) until the server has it, so a sign-in that
// expired mid-sentence loses nothing: after signing in again the text is restored.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const key = form.dataset.draftKey;
  const status = document.getElementById("autosave-status");
  const show = (msg, cls) => {
    if (!status) return;
    status.hidden = false;
    status.textContent = msg;
    status.className = "notice " + cls;
  };
  const areas = () => Array.from(form.querySelectorAll("textarea"));
  const kept = sessionStorage.getItem(key);
  if (kept) {
    try {
      const draft = JSON.parse(kept);
      let restored = false;
      areas().forEach((t) => {
        const v = draft.fields[t.name];
        if (typeof v === "string" && v !== t.value) {
          t.value = v;
          restored = true;
        }
      });
      if (restored) show(form.dataset.msgRestored, "notice-warn");
      else sessionStorage.removeItem(key);
    } catch (e) {
      sessionStorage.removeItem(key);
    }
  }
  const keep = () => {
    const fields = {};
    areas().forEach((t) => (fields[t.name] = t.value));
    sessionStorage.setItem(key, JSON.stringify({ fields: fields, at: Date.now() }));
  };
  let timer = null;
  let inflight = null;
  const save = () => {
    inflight = send().finally(() => {
      inflight = null;
    });
    return inflight;
  };
  const send = async () => {
    const body = new URLSearchParams(new FormData(form));
    body.delete("then_submit");
    try {
      const res = await fetch(form.dataset.autosave, {
        method: "POST",
        body: body,
        headers: { "X-CSRF-Token": form.elements.namedItem("csrf").value },
        credentials: "same-origin",
        redirect: "manual",
      });
      const type = res.headers.get("content-type") || "";
      if (res.ok && type.includes("json")) {
        const j = await res.json();
        form.elements.namedItem("version").value = j.version;
        sessionStorage.removeItem(key);
        show(form.dataset.msgSaved + " (" + j.saved_at + ")", "notice-ok");
      } else if (res.status === 409) {
        show(form.dataset.msgConflict, "notice-error");
      } else {
        show(form.dataset.msgOffline, "notice-error");
      }
    } catch (e) {
      show(form.dataset.msgOffline, "notice-error");
    }
  };
  form.addEventListener("input", () => {
    keep();
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  });
  form.addEventListener("submit", (ev) => {
    clearTimeout(timer);
    keep();
    // An autosave still on its way would make this submission's version stale: wait for it,
    // then submit again with the version it returned.
    if (inflight) {
      ev.preventDefault();
      const submitter = ev.submitter;
      inflight.then(() => form.requestSubmit(submitter));
    }
  });
});

// Phones: below 720 px the stylesheet shows each table row as a card. Label every cell with
// its column's header (data-label, shown by the stylesheet) and keep the table's roles, which
// browsers drop from the accessibility tree once a table is no longer displayed as one.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".table-wrap table").forEach((table) => {
    const heads = table.tHead ? Array.from(table.tHead.rows[table.tHead.rows.length - 1].cells) : [];
    table.setAttribute("role", "table");
    Array.from(table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot")).forEach((g) => g.setAttribute("role", "rowgroup"));
    Array.from(table.rows).forEach((row) => {
      row.setAttribute("role", "row");
      let col = 0;
      Array.from(row.cells).forEach((cell) => {
        const inHead = row.parentElement && row.parentElement.localName === "thead";
        if (cell.localName === "th") cell.setAttribute("role", inHead || cell.scope === "col" ? "columnheader" : "rowheader");
        else cell.setAttribute("role", "cell");
        const head = heads[col];
        const label = head ? head.textContent.trim() : "";
        if (!inHead && label && head !== cell && (cell.colSpan || 1) === 1 && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
        if (!inHead && cell.localName === "td" && cell.textContent.trim() === "" && !cell.querySelector("input, select, button, img, svg")) cell.setAttribute("data-empty", "");
        col += cell.colSpan || 1;
      });
      const cells = Array.from(row.cells).filter((c) => c.localName === "td");
      if (cells.length && cells.every((c) => c.hasAttribute("data-empty"))) row.setAttribute("data-empty", "");
    });
  });
});
