/* gongshi search: the browser half of generator/search (see export.py for the file
 * layout and query.py for the ranking rules). This is the readable source; the theme
 * ships themes/default/static/search.js, made from it by `python -m generator.search.minify`
 * (comments and layout out: it is part of every cold query). The core (tokenize, hash, decode, rank) is
 * plain functions so node can require() this file in tests; the page part runs only when
 * there is a document with a [data-manifest] search root. No innerHTML anywhere: result
 * text comes from content and is set with textContent and <mark> elements. */
(function (factory) {
  'use strict';
  var core = factory();
  if (typeof module !== 'undefined' && module.exports) module.exports = core;
  if (typeof document !== 'undefined') core.boot(document);
})(function () {
  'use strict';

  var TOKENIZER_VERSION = 'gongshi-bigram-2';
  var FORMAT_VERSION = 2;
  var ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  var FACETS = ['association', 'kind', 'year', 'measure'];
  var FACET_LEGENDS = { association: '协会', kind: '类别', year: '年份', measure: '措施类别' };
  var PAGE = 10;  // one metadata block per result, typically: keep pages short
  // Unlike \w, these match exactly what tokenize.py's general-category test matches.
  var WORD = /[\p{L}\p{N}]/u;
  var HAN = /\p{Script=Han}/u;

  function normalize(text) {
    return text.normalize('NFKC').toLowerCase();
  }

  // Tokens of already-normalised code points: {text, pos, start, end}. Same rules as
  // tokenize.py: runs of letters/numbers; Han segments → bigrams (or the one character);
  // other segments → one word; positions skip one between runs.
  function tokensOf(chars) {
    var out = [], pos = 0, i = 0, n = chars.length;
    while (i < n) {
      if (!WORD.test(chars[i])) { i++; continue; }
      var end = i;
      while (end < n && WORD.test(chars[end])) end++;
      while (i < end) {
        var han = HAN.test(chars[i]), j = i + 1;
        while (j < end && HAN.test(chars[j]) === han) j++;
        if (!han || j - i === 1) {
          out.push({ text: chars.slice(i, j).join(''), pos: pos++, start: i, end: j });
        } else {
          for (var k = i; k < j - 1; k++) {
            out.push({ text: chars[k] + chars[k + 1], pos: pos++, start: k, end: k + 2 });
          }
        }
        i = j;
      }
      pos++;
    }
    return out;
  }

  function tokenize(text) {
    return tokensOf(Array.from(normalize(text))).map(function (t) { return t.text; });
  }

  // See query.plan_query: every token is required (single Han characters are unigrams,
  // which the index holds for every occurrence of the character).
  function planQuery(text) {
    var runs = [], last = -2, seen = {};
    tokensOf(Array.from(normalize(text))).forEach(function (t) {
      if (t.pos !== last + 1) runs.push([]);
      runs[runs.length - 1].push(t.text);
      last = t.pos;
      seen[t.text] = true;
    });
    var tokens = Object.keys(seen).sort();
    return {
      required: tokens,
      terms: tokens,
      runs: runs.filter(function (r) { return r.length > 1; })
    };
  }

  // See query.is_exact: every multi-token run at consecutive head positions.
  function isExact(plan, head) {
    return plan.runs.every(function (run) {
      return (head[run[0]] || []).some(function (p) {
        return run.every(function (t, i) { return (head[t] || []).indexOf(p + i) >= 0; });
      });
    });
  }

  function fnv1a32(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h;
  }

  function decodeVarints(s) {
    var out = [], n = 0, shift = 0;
    for (var i = 0; i < s.length; i++) {
      var d = ALPHABET.indexOf(s[i]);
      n += (d & 31) * Math.pow(2, shift);
      if (d < 32) { out.push(n); n = 0; shift = 0; } else shift += 5;
    }
    return out;
  }

  // "gap, score, count, positions..." → {docNumber: {score, head}}.
  function decodePostings(s) {
    var v = decodeVarints(s), out = new Map(), doc = -1, i = 0;
    while (i < v.length) {
      doc += v[i] + 1;
      var score = v[i + 1], count = v[i + 2], head = [], p = -1;
      i += 3;
      for (var k = 0; k < count; k++) { p += v[i++] + 1; head.push(p); }
      out.set(doc, { score: score, head: head });
    }
    return out;
  }

  // A facet column (export.encode_column): "r" + run-length varints, or "p" + bit width +
  // every document's code + 1 packed into 6-bit digits. → code per document, −1 = none.
  function decodeColumn(s, docs) {
    var out = [], i, k;
    if (s[0] === 'r') {
      var v = decodeVarints(s.slice(1));
      for (i = 0; i < v.length; i += 2) for (k = 0; k < v[i + 1]; k++) out.push(v[i] - 1);
      return out;
    }
    var width = ALPHABET.indexOf(s[1]), mask = (1 << width) - 1, acc = 0, bits = 0, j = 2;
    for (i = 0; i < docs; i++) {
      while (bits < width) { acc |= ALPHABET.indexOf(s[j++]) << bits; bits += 6; }
      out.push((acc & mask) - 1);
      acc >>>= width;
      bits -= width;
    }
    return out;
  }

  // load(name) → Promise of the parsed JSON file under /search/. Returns {run, rows}.
  function createSearch(load) {
    var manifest = load('manifest.json').then(function (m) {
      if (m.tokenizer !== TOKENIZER_VERSION || m.format !== FORMAT_VERSION) {
        throw new Error('version');
      }
      return m;
    });
    // The facet file is fetched only when facets are asked for (open filters, a filter in
    // the URL): a plain query needs the manifest, its shards and its rows, nothing else.
    var facetData = null;
    function facets() {
      return facetData || (facetData = manifest.then(function (m) {
        return load(m.facets_file).then(function (f) {
          var c = {};
          FACETS.forEach(function (k) { c[k] = decodeColumn(f.columns[k], m.docs); });
          return { names: f.names, cols: c };
        });
      }));
    }
    var shardCache = {}, blockCache = {};

    function shard(m, i) {
      var name = 's-' + m.shard_generation + '-' + i.toString(16) + '.json';
      return shardCache[name] || (shardCache[name] = load(name));
    }

    function filtered(filters) {
      return FACETS.some(function (f) { return filters && filters[f] && filters[f].length; });
    }

    // filters: {facet: [values]} (values as in the URL: slugs, codes, years as strings).
    // opts.facets: also count facets (result.counts, result.facets: the names). Facets are
    // loaded whenever a filter is set, since filtering needs the columns.
    function run(q, filters, opts) {
      var plan = planQuery(q);
      var withFacets = !!(opts && opts.facets) || filtered(filters);
      return Promise.all([manifest, withFacets ? facets() : null]).then(function (mf) {
        var m = mf[0], cols = mf[1] && mf[1].cols, names = mf[1] && mf[1].names;
        var wanted = {};  // facet → set of codes; absent = no filter on that facet
        FACETS.forEach(function (f) {
          var values = (filters && filters[f]) || [];
          if (!values.length) return;
          wanted[f] = {};
          names[f].forEach(function (entry, code) {
            var key = String(Array.isArray(entry) ? entry[0] : entry);
            if (values.indexOf(key) >= 0) wanted[f][code] = true;
          });
        });
        if (!plan.required.length) {
          return { plan: plan, ranked: [], counts: names && {}, facets: names, manifest: m };
        }
        var ids = plan.terms.map(function (t) { return fnv1a32(t) & (m.shard_count - 1); });
        return Promise.all(ids.map(function (i) { return shard(m, i); })).then(function (got) {
          var lists = {};
          plan.terms.forEach(function (t, i) {
            lists[t] = Object.prototype.hasOwnProperty.call(got[i], t)
              ? decodePostings(got[i][t]) : new Map();
          });
          var req = plan.required.map(function (t) { return lists[t]; })
            .sort(function (a, b) { return a.size - b.size; });
          var hits = [];
          req[0].forEach(function (_, doc) {
            if (!req.every(function (l) { return l.has(doc); })) return;
            var score = 0, head = {};
            plan.terms.forEach(function (t) {
              var p = lists[t].get(doc);
              if (p) { score += p.score; head[t] = p.head; }
            });
            hits.push({ doc: doc, score: score, exact: isExact(plan, head) });
          });
          // OR within a facet, AND across facets; a facet's counts ignore its own filter.
          function passes(doc, skip) {
            return FACETS.every(function (f) {
              return f === skip || !wanted[f] || wanted[f][cols[f][doc]];
            });
          }
          var counts = names && {};
          if (names) FACETS.forEach(function (f) {
            counts[f] = {};
            hits.forEach(function (h) {
              var c = cols[f][h.doc];
              if (c >= 0 && passes(h.doc, f)) counts[f][c] = (counts[f][c] || 0) + 1;
            });
          });
          var ranked = hits.filter(function (h) { return passes(h.doc, null); });
          ranked.sort(function (a, b) {
            return (b.exact - a.exact) || (b.score - a.score) || (a.doc - b.doc);
          });
          return { plan: plan, ranked: ranked, counts: counts, facets: names, manifest: m };
        });
      });
    }

    // Metadata rows [doc_id, url, title, kind_label, association_name, date, snippet].
    function rows(docs) {
      return manifest.then(function (m) {
        return Promise.all(docs.map(function (doc) {
          var b = Math.floor(doc / m.block_size);
          var name = 'm-' + m.block_generation + '-' + b.toString(16) + '.json';
          var block = blockCache[name] || (blockCache[name] = load(name));
          return block.then(function (b) { return b[doc % m.block_size]; });
        }));
      });
    }

    return { run: run, rows: rows, manifest: manifest, facets: facets, filtered: filtered };
  }

  // ---- the page ---------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  // Put text into node, wrapping the tokens that are query terms in <mark>. Each
  // character is normalised on its own so marks map back onto the original text.
  function highlight(node, text, terms) {
    var orig = Array.from(text), norm = [], from = [];
    orig.forEach(function (c, i) {
      Array.from(normalize(c)).forEach(function (n) { norm.push(n); from.push(i); });
    });
    from.push(orig.length);
    var marked = new Array(orig.length + 1).fill(false);
    tokensOf(norm).forEach(function (t) {
      if (terms.indexOf(t.text) < 0) return;
      for (var i = from[t.start]; i < from[t.end]; i++) marked[i] = true;
    });
    var i = 0;
    while (i < orig.length) {
      var j = i;
      while (j < orig.length && marked[j] === marked[i]) j++;
      var part = orig.slice(i, j).join('');
      node.appendChild(marked[i] ? el('mark', null, part) : document.createTextNode(part));
      i = j;
    }
  }

  function readUrl() {
    var p = new URLSearchParams(location.search), filters = {};
    FACETS.forEach(function (f) { filters[f] = p.getAll(f).filter(Boolean); });
    return { q: p.get('q') || '', filters: filters };
  }

  function writeUrl(state) {
    var p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    FACETS.forEach(function (f) { state.filters[f].forEach(function (v) { p.append(f, v); }); });
    var qs = p.toString();
    history.pushState(null, '', location.pathname + (qs ? '?' + qs : ''));
  }

  function boot(doc) {
    var root = doc.querySelector('[data-manifest]');
    if (!root) return;
    var manifestUrl = new URL(root.getAttribute('data-manifest'), location.href);
    var base = (root.getAttribute('data-base') || '').replace(/\/+$/, '');
    var form = root.querySelector('form');
    var input = form.querySelector('input[type=search]');
    var status = root.querySelector('[role=status]');
    var facetBox = root.querySelector('.search-facets');
    // The filters sit in a closed <details>: their data is fetched when it is opened.
    var filters = root.querySelector('.search-filters');
    var list = root.querySelector('.search-results');
    var more = root.querySelector('.search-more');
    var engine = createSearch(function (name) {
      return fetch(new URL(name, manifestUrl)).then(function (r) {
        if (!r.ok) throw new Error(r.status + ' ' + name);
        return r.json();
      });
    });
    var state = readUrl(), result = null, shown = 0, generation = 0, facetsFor = -1;

    function show(count) {
      var docs = result.ranked.slice(shown, shown + count).map(function (h) { return h.doc; });
      var terms = result.plan.terms, mine = generation;
      return engine.rows(docs).then(function (rows) {
        if (mine !== generation) return;
        rows.forEach(function (row) {
          var li = el('li'), link = el('a');
          // Only site-relative URLs become links: nothing like javascript: can slip in.
          if (/^\/(?!\/)/.test(row[1])) link.setAttribute('href', base + row[1]);
          highlight(link, row[2], terms);
          var meta = el('p', { class: 'search-meta' }, row[3] + ' · ' + row[4] + ' · ');
          meta.appendChild(el('time', { datetime: row[5] }, row[5]));
          var snippet = el('p', { class: 'search-snippet' });
          highlight(snippet, row[6], terms);
          li.appendChild(el('h3')).appendChild(link);
          li.appendChild(meta);
          li.appendChild(snippet);
          list.appendChild(li);
        });
        shown += docs.length;
        more.hidden = shown >= result.ranked.length;
        list.setAttribute('aria-busy', 'false');
      });
    }

    // names: the facet file's names (code order). Counts come from result, when there is one.
    function renderFacets(names) {
      // The boxes are rebuilt with new counts: keep keyboard focus on the one just used.
      var focused = doc.activeElement, keep = focused && focused.closest &&
        focused.closest('.search-facets') ? [focused.name, focused.value] : null;
      facetBox.textContent = '';
      FACETS.forEach(function (f) {
        if (!names[f].length) return;
        var set = el('fieldset'), counts = (result && result.counts[f]) || {};
        set.appendChild(el('legend', null, FACET_LEGENDS[f]));
        names[f].forEach(function (entry, code) {
          var value = String(Array.isArray(entry) ? entry[0] : entry);
          var label = Array.isArray(entry) ? entry[1] : value;
          var box = el('input', { type: 'checkbox', name: f, value: value });
          box.checked = state.filters[f].indexOf(value) >= 0;
          if (result && !counts[code] && !box.checked) return;  // nothing to narrow to
          var lab = el('label');
          lab.appendChild(box);
          lab.appendChild(doc.createTextNode(' ' + label + (result ? ' (' + (counts[code] || 0) + ')' : '')));
          set.appendChild(lab);
        });
        facetBox.appendChild(set);
      });
      if (keep) {
        Array.prototype.forEach.call(facetBox.querySelectorAll('input'), function (box) {
          if (box.name === keep[0] && box.value === keep[1]) box.focus();
        });
      }
    }

    function facetsDone(mine, names) {
      if (mine !== generation) return;
      renderFacets(names);
      facetBox.setAttribute('aria-busy', 'false');
    }

    function update() {
      var mine = ++generation;
      input.value = state.q;
      list.textContent = '';
      list.setAttribute('aria-busy', 'true');  // until this query's rows are in
      more.hidden = true;
      shown = 0;
      // A filter in the URL opens the filters (the toggle handler sees facetsFor and
      // leaves the loading to this call).
      if (engine.filtered(state.filters)) filters.open = true;
      var withFacets = filters.open;
      facetsFor = withFacets ? mine : -1;
      if (withFacets) facetBox.setAttribute('aria-busy', 'true');
      else facetBox.textContent = '';
      if (!state.q.trim()) {
        result = null;
        status.textContent = '请输入关键词。';
        // Ready once the manifest is in (a stale index is reported now, not at the first query).
        return Promise.all([engine.manifest, withFacets ? engine.facets() : null]).then(function (mf) {
          if (mine !== generation) return;
          if (mf[1]) facetsDone(mine, mf[1].names);
          list.setAttribute('aria-busy', 'false');
        }, fail);
      }
      status.textContent = '正在搜索…';
      return engine.run(state.q, state.filters, { facets: withFacets }).then(function (r) {
        if (mine !== generation) return;
        result = r;
        if (r.facets) facetsDone(mine, r.facets);
        status.textContent = r.ranked.length
          ? '找到 ' + r.ranked.length + ' 条结果。'
          : '没有找到与“' + state.q + '”相关的结果。';
        return show(PAGE);
      }).catch(fail);
    }

    // Opening the filters fetches the facet file (once) and counts this query's results.
    function openFacets() {
      if (!filters.open || facetsFor === generation) return;
      var mine = generation;
      facetsFor = mine;
      facetBox.setAttribute('aria-busy', 'true');
      if (!state.q.trim()) {
        engine.facets().then(function (f) { facetsDone(mine, f.names); }, fail);
        return;
      }
      engine.run(state.q, state.filters, { facets: true }).then(function (r) {
        if (mine !== generation || !result) return;
        result.counts = r.counts;
        facetsDone(mine, r.facets);
      }, fail);
    }

    function fail(err) {
      list.setAttribute('aria-busy', 'false');
      facetBox.setAttribute('aria-busy', 'false');
      status.textContent = err && err.message === 'version'
        ? '搜索索引已更新，请刷新页面。'
        : '搜索数据加载失败，请稍后再试。';
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      state = { q: input.value.trim(), filters: state.filters };
      writeUrl(state);
      update();
    });
    facetBox.addEventListener('change', function (e) {
      var box = e.target, values = state.filters[box.name];
      if (!values) return;
      state.filters[box.name] = box.checked ? values.concat([box.value])
        : values.filter(function (v) { return v !== box.value; });
      writeUrl(state);
      update();
    });
    more.addEventListener('click', function () { show(PAGE); });
    filters.addEventListener('toggle', openFacets);
    window.addEventListener('popstate', function () { state = readUrl(); update(); });
    update();
  }

  return {
    TOKENIZER_VERSION: TOKENIZER_VERSION, normalize: normalize, tokenize: tokenize,
    planQuery: planQuery, isExact: isExact, fnv1a32: fnv1a32, decodeVarints: decodeVarints,
    decodePostings: decodePostings, decodeColumn: decodeColumn, createSearch: createSearch,
    boot: boot
  };
});
