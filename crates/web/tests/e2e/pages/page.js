// What the page walker (mod.rs) reads from each page in one round trip: the same-origin links
// to follow, the document's horizontal overflow (with the widest culprits), and every piece of
// Japanese text outside user data. User data is a subtree whose nearest `lang` is not English
// (templates mark names, departments, free text and tenant-defined tags with lang="ja") or one
// marked translate="no".
const JAPANESE = /[\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

function userData(el) {
  const marked = el.closest('[lang],[translate="no"]');
  if (!marked) return false;
  if (marked.getAttribute('translate') === 'no') return true;
  return !/^en\b/i.test(marked.getAttribute('lang') || '');
}

function where(el) {
  const parts = [];
  for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
    let s = e.localName;
    if (e.id) { parts.unshift(s + '#' + e.id); break; }
    if (e.classList.length) s += '.' + Array.from(e.classList).join('.');
    parts.unshift(s);
  }
  return parts.join(' > ');
}

function japanese() {
  const found = [];
  // Texts of user data, taken out of texts that quote them: the title, attributes (a button's
  // aria-label naming the employee it acts on) and messages around a name (a hidden label
  // "Career consultant for 山田 太郎"), where the name is shown marked elsewhere on the page.
  const data = new Set();
  for (const el of document.body.querySelectorAll('[lang],[translate="no"],textarea')) {
    if (userData(el) || el.localName === 'textarea') {
      const t = el.textContent.trim();
      if (t) data.add(t);
    }
  }
  const quoted = Array.from(data).sort((a, b) => b.length - a.length);
  const unquote = (text) => quoted.reduce((t, d) => t.split(d).join(' '), text);
  const note = (el, text) => {
    if (!JAPANESE.test(text)) return;
    const t = unquote(text).trim().replace(/\s+/g, ' ');
    if (t && JAPANESE.test(t)) found.push({ text: t.slice(0, 80), at: where(el) });
  };
  note(document.documentElement, document.title);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    // What was typed into a form field is the user's, whatever the page's language.
    if (!el || el.closest('script,style,noscript,template,textarea') || userData(el)) continue;
    note(el, n.nodeValue);
  }
  for (const el of document.body.querySelectorAll('[aria-label],[title],[placeholder],[alt],input[type=submit][value],input[type=button][value]')) {
    if (userData(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.hasAttribute(a)) note(el, el.getAttribute(a));
    }
    if (el.localName === 'input' && (el.type === 'submit' || el.type === 'button')) note(el, el.value);
  }
  return found;
}

function overflow() {
  const width = window.innerWidth;
  const culprits = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'absolute') {
        culprits.push({ at: where(el), right: Math.round(r.right) });
      }
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits: culprits.slice(0, 6) };
}

function links() {
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (a.hasAttribute('download')) continue;
    let u;
    try { u = new URL(a.getAttribute('href'), location.href); } catch (e) { continue; }
    if (u.origin !== location.origin) continue;
    out.push(u.pathname + u.search);
  }
  return out;
}

return {
  path: location.pathname + location.search,
  lang: document.documentElement.lang,
  contentType: document.contentType,
  links: links(),
  overflow: overflow(),
  japanese: arguments[0] ? japanese() : [],
};
