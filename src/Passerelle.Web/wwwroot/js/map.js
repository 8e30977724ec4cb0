// Draws the GeoJSON layers named by each [data-map] element with Leaflet. No tile server is needed: outlines come
// from the portal's own API. Every map is also described in words on its page (a caption, the page's lists), for use
// without JavaScript or without sight; the map's container is a labelled region that takes the keyboard.
(function () {
  'use strict';
  const styles = {
    area: { color: '#003399', weight: 1.5, fillColor: '#4d79c7', fillOpacity: 0.2 },
    area2: { color: '#8a4b00', weight: 1.5, fillColor: '#ffbf47', fillOpacity: 0.25, dashArray: '6 4' },
    area3: { color: '#00703c', weight: 1.5, fillColor: '#85c79f', fillOpacity: 0.2, dashArray: '2 4' },
    grouping: { color: '#8a4b00', weight: 1.5, fillColor: '#ffbf47', fillOpacity: 0.35 },
    context: { color: '#505a5f', weight: 1, fillColor: '#dfe3e6', fillOpacity: 0.35 },
    focus: { color: '#5a1f7a', weight: 3, fillColor: '#b58ad1', fillOpacity: 0.45 },
  };
  const defaults = [styles.area, styles.grouping];

  function escapeHtml(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span.innerHTML;
  }

  // Organisations at the same point (several placed at one municipality) share one marker listing them all.
  function partnerLayer(data, linkPrefix, approximateText) {
    const groups = new Map();
    for (const feature of data.features || []) {
      if (!feature.geometry || feature.geometry.type !== 'Point') continue;
      const [lon, lat] = feature.geometry.coordinates;
      const key = lat.toFixed(5) + ',' + lon.toFixed(5);
      if (!groups.has(key)) groups.set(key, { lat, lon, features: [] });
      groups.get(key).features.push(feature);
    }

    const layer = L.featureGroup();
    for (const group of groups.values()) {
      const approximate = group.features.every((f) => f.properties && f.properties.locationApproximate);
      const marker = L.circleMarker([group.lat, group.lon], approximate
        ? { radius: 9, color: '#8a4b00', weight: 2, dashArray: '3 3', fillColor: '#ffffff', fillOpacity: 0.6 }
        : { radius: 7, color: '#0b0c0c', weight: 1.5, fillColor: '#d4351c', fillOpacity: 0.9 });
      const names = group.features.map((f) => {
        const p = f.properties || {};
        const place = p.locationApproximate && p.locationMunicipalityName ? ' (' + approximateText + ' ' + p.locationMunicipalityName + ')' : '';
        return { text: (p.name || '') + place, slug: p.slug };
      });
      marker.bindTooltip(names.map((n) => escapeHtml(n.text)).join('<br>'));
      marker.bindPopup(names.map((n) => n.slug
        ? '<a href="' + linkPrefix + '/organisations/' + encodeURIComponent(n.slug) + '">' + escapeHtml(n.text) + '</a>'
        : escapeHtml(n.text)).join('<br>'));
      marker.addTo(layer);
    }

    return layer;
  }

  async function draw(element) {
    const zoomIn = element.dataset.zoomIn || 'Zoom in';
    const zoomOut = element.dataset.zoomOut || 'Zoom out';
    // Quarter zoom steps, so a fitted area fills the frame rather than half of it.
    const map = L.map(element, { scrollWheelZoom: false, zoomControl: false, zoomSnap: 0.25 });
    L.control.zoom({ zoomInTitle: zoomIn, zoomOutTitle: zoomOut }).addTo(map);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.tilesAttribution || '', maxZoom: 18 }).addTo(map);
    }

    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(escapeHtml(element.dataset.attribution || ''));
    const lang = document.documentElement.lang;
    const linkPrefix = /^\/(en|fr|nl|de)(\/|$)/.test(location.pathname) ? '/' + lang : '';
    const layers = JSON.parse(element.dataset.layers || '[]').map((l) => (typeof l === 'string' ? { url: l } : l));
    let all = null;
    let fitted = null;
    const extend = (bounds, more) => (bounds ? bounds.extend(more) : L.latLngBounds(more.getSouthWest(), more.getNorthEast()));
    for (let i = 0; i < layers.length; i++) {
      let data;
      try {
        const response = await fetch(layers[i].url);
        if (!response.ok) continue;
        data = await response.json();
      } catch (e) {
        continue;
      }

      let layer;
      if (layers[i].style === 'partners') {
        layer = partnerLayer(data, linkPrefix, element.dataset.approximate || 'approximate:');
      } else {
        const style = styles[layers[i].style] || defaults[Math.min(i, defaults.length - 1)];
        const label = layers[i].label;
        layer = L.geoJSON(data, {
          style,
          onEachFeature: (feature, l) => {
            if (feature.properties && feature.properties.name) {
              const name = feature.properties.name + ' (' + feature.properties.code + ')';
              l.bindTooltip(escapeHtml(label ? label + ': ' + name : name));
            }
          },
        });
      }

      layer.addTo(map);
      const bounds = layer.getBounds();
      if (!bounds.isValid()) continue;
      all = extend(all, bounds);
      if (layers[i].fit) fitted = extend(fitted, bounds);
    }

    if (element.dataset.marker) {
      const m = JSON.parse(element.dataset.marker);
      L.marker([m.lat, m.lon], { title: m.label, alt: m.label, keyboard: false })
        .bindTooltip(escapeHtml(m.label), { permanent: true, direction: 'right', offset: [8, -20] })
        .addTo(map);
      const point = L.latLng(m.lat, m.lon);
      if (fitted) fitted.extend(point);
      else if (all) all.extend(point);
      else fitted = L.latLngBounds(point, point);
    }

    const target = fitted || all;
    const maxZoom = element.dataset.maxZoom ? Number(element.dataset.maxZoom) : 12;
    if (target) map.fitBounds(target, { padding: [12, 12], maxZoom });
    else map.setView([50.7, 3.2], 7);
    element.dataset.ready = 'true';

    const form = element.dataset.pickForm && document.getElementById(element.dataset.pickForm);
    if (form) {
      map.on('click', (e) => {
        form.querySelector('[name=lat]').value = e.latlng.lat.toFixed(5);
        form.querySelector('[name=lon]').value = e.latlng.lng.toFixed(5);
        // A click asks about the point: a code typed earlier must not answer instead.
        form.querySelectorAll('[name=nuts], [name=lau]').forEach((field) => { field.value = ''; });
        form.submit();
      });
    }
  }

  document.querySelectorAll('[data-map]').forEach((element) => { draw(element); });
})();
