// The search page's filters, once script runs (without it the page is a plain GET form with an "Apply" button):
// - a ticked or unticked value applies at once (the form is submitted), and focus returns to that value afterwards;
// - a long list of values (a dimension shown in full: fieldset.facet-long) gets a box that narrows it as one types;
// - on a narrow screen the filters are folded (details), unless one is ticked.
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  var aside = document.querySelector('aside.facets');
  if (!form || !aside) {
    return;
  }

  var focusKey = 'passerelle.search.focus';

  // On a narrow screen the filters come before the results: fold them unless one is ticked.
  var details = aside.querySelector('details.facets-details');
  if (details && window.matchMedia && window.matchMedia('(max-width: 48rem)').matches
      && !aside.querySelector('input[type=checkbox]:checked')) {
    details.open = false;
  }

  // Applying at each tick reloads the page: say so once above the filters (WCAG 3.2.2), and hide the button.
  var apply = document.getElementById('apply-filters');
  if (apply) {
    apply.parentNode.hidden = true;
  }
  if (aside.dataset.autoNote) {
    var note = document.createElement('p');
    note.className = 'facet-note';
    note.textContent = aside.dataset.autoNote;
    aside.insertBefore(note, aside.firstChild);
  }

  aside.querySelectorAll('input[type=checkbox][form=search-form]').forEach(function (box) {
    box.addEventListener('change', function () {
      try {
        sessionStorage.setItem(focusKey, box.id);
      } catch (e) {
        // Storage may be off (private mode): only the focus is lost.
      }
      if (typeof form.requestSubmit === 'function') {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  });

  // Back on the value just ticked, so a keyboard user goes on from where they were.
  try {
    var focused = sessionStorage.getItem(focusKey);
    sessionStorage.removeItem(focusKey);
    var target = focused && document.getElementById(focused);
    if (target) {
      target.focus();
    }
  } catch (e) {
    // Nothing to restore.
  }

  function fold(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  }

  aside.querySelectorAll('fieldset.facet-long').forEach(function (fieldset) {
    var list = fieldset.querySelector('ul');
    var legend = fieldset.querySelector('legend');
    if (!list) {
      return;
    }
    var id = fieldset.id + '-filter';
    var label = document.createElement('label');
    label.htmlFor = id;
    label.className = 'facet-filter-label';
    label.textContent = (aside.dataset.filterLabel || '{0}').replace('{0}', legend ? legend.textContent.trim() : '');
    var input = document.createElement('input');
    input.type = 'search';
    input.id = id;
    input.className = 'facet-filter';
    input.autocomplete = 'off';
    var status = document.createElement('p');
    status.className = 'facet-filter-status';
    status.setAttribute('role', 'status');
    var items = Array.prototype.slice.call(list.querySelectorAll('li'));
    input.addEventListener('input', function () {
      var wanted = fold(input.value);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.querySelector('label');
        var match = !wanted || fold(text ? text.textContent : item.textContent).indexOf(wanted) >= 0;
        item.hidden = !match;
        if (match) {
          shown++;
        }
      });
      status.textContent = wanted ? (aside.dataset.filterCount || '{0}').replace('{0}', String(shown)) : '';
    });
    fieldset.insertBefore(label, list);
    fieldset.insertBefore(input, list);
    fieldset.insertBefore(status, list);
  });
})();
