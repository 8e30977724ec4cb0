// Draws the GeoJSON layers named by each [data-map] element with Leaflet. No tile server is needed: outlines come
// from the portal's own API. Every map also has a list of its units in the page, for use without JavaScript.
(function () {
  'use strict';
  const styles = [
    { color: '#003399', weight: 1.5, fillColor: '#4d79c7', fillOpacity: 0.25 },
    { color: '#8a4b00', weight: 2, fillColor: '#ffbf47', fillOpacity: 0.35 },
  ];

  function escapeHtml(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span.innerHTML;
  }

  async function draw(element) {
    const map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    // The zoom buttons' names in the page's language (Leaflet's own are English), from the _Map partial.
    L.control.zoom({
      zoomInTitle: element.dataset.zoomIn || 'Zoom in',
      zoomOutTitle: element.dataset.zoomOut || 'Zoom out',
    }).addTo(map);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.tilesAttribution || '', maxZoom: 18 }).addTo(map);
    }

    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(escapeHtml(element.dataset.attribution || ''));
    const layers = JSON.parse(element.dataset.layers || '[]');
    let bounds = null;
    for (let i = 0; i < layers.length; i++) {
      const response = await fetch(layers[i]);
      if (!response.ok) continue;
      const data = await response.json();
      const layer = L.geoJSON(data, {
        style: styles[Math.min(i, styles.length - 1)],
        onEachFeature: (feature, l) => {
          if (feature.properties && feature.properties.name) {
            l.bindTooltip(escapeHtml(feature.properties.name + ' (' + feature.properties.code + ')'));
          }
        },
      }).addTo(map);
      const layerBounds = layer.getBounds();
      if (layerBounds.isValid()) bounds = bounds ? bounds.extend(layerBounds) : layerBounds;
    }

    if (bounds) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([50.7, 3.2], 7);
    element.dataset.ready = 'true';

    const form = element.dataset.pickForm && document.getElementById(element.dataset.pickForm);
    if (form) {
      map.on('click', (e) => {
        form.querySelector('[name=lat]').value = e.latlng.lat.toFixed(5);
        form.querySelector('[name=lon]').value = e.latlng.lng.toFixed(5);
        form.submit();
      });
    }
  }

  document.querySelectorAll('[data-map]').forEach((element) => { draw(element); });
})();
