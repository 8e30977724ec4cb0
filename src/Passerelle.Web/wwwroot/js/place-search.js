// Suggestions as you type for the eligibility finder's place search: the ARIA 1.2 combobox pattern (a text box that
// controls a list box). Without this script the same form is a plain GET search listing the matching places.
(function () {
  'use strict';
  const input = document.querySelector('input[data-suggest]');
  if (!input) return;

  const kinds = JSON.parse(input.dataset.kinds || '{}');
  const list = document.createElement('ul');
  list.id = 'q-suggestions';
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', input.labels && input.labels[0] ? input.labels[0].textContent : '');
  list.hidden = true;
  input.parentNode.appendChild(list);

  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  input.parentNode.appendChild(status);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let items = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  function answerUrl(item) {
    const parameter = item.kind === 'Municipality' ? 'lau' : 'nuts';
    return input.dataset.answer + '?' + parameter + '=' + encodeURIComponent(item.code);
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.from(list.children).forEach((li, i) => li.setAttribute('aria-selected', i === index ? 'true' : 'false'));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function render(query, found) {
    items = found;
    list.replaceChildren();
    found.forEach((item, i) => {
      const li = document.createElement('li');
      li.id = 'q-suggestion-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      const name = document.createElement('span');
      name.className = 'suggestion-name';
      name.textContent = item.name;
      if (item.nameLanguage && item.nameLanguage !== document.documentElement.lang) name.lang = item.nameLanguage;
      li.appendChild(name);
      if (item.matchedName && item.matchedName !== item.name) {
        const matched = document.createElement('span');
        matched.textContent = ' (' + item.matchedName + ')';
        if (item.matchedLanguage) matched.lang = item.matchedLanguage;
        li.appendChild(matched);
      }

      const where = document.createElement('span');
      where.className = 'sub';
      where.textContent = ' ' + [kinds[item.kind] || item.kind, item.parentName, item.countryCode].filter(Boolean).join(', ');
      li.appendChild(where);
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep the focus in the text box
      li.addEventListener('click', () => { location.href = answerUrl(item); });
      list.appendChild(li);
    });

    const open = found.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', open ? 'true' : 'false');
    active = -1;
    input.removeAttribute('aria-activedescendant');
    status.textContent = open ? (input.dataset.found || '{0}').replace('{0}', found.length) : (input.dataset.none || '').replace('{0}', query);
  }

  async function suggest() {
    const query = input.value.trim();
    if (query.length < 2) {
      close();
      status.textContent = '';
      return;
    }

    if (controller) controller.abort();
    controller = new AbortController();
    const url = input.dataset.suggest + '?limit=8&lang=' + encodeURIComponent(input.dataset.lang || 'en') + '&q=' + encodeURIComponent(query);
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: 'application/json' } });
      if (!response.ok) {
        close();
        return;
      }

      const body = await response.json();
      if (input.value.trim() === query) render(query, body.items || []);
    } catch (e) {
      if (e.name !== 'AbortError') close();
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });

  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && items.length > 0) {
      e.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      highlight((active + 1) % items.length);
    } else if (e.key === 'ArrowUp' && items.length > 0 && !list.hidden) {
      e.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === 'Enter' && active >= 0 && !list.hidden) {
      // The chosen suggestion answers; Enter without one submits the form (the list of matches).
      e.preventDefault();
      location.href = answerUrl(items[active]);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });

  input.addEventListener('blur', () => { setTimeout(close, 150); });
})();
