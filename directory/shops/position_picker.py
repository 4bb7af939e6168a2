"""A map under the latitude and longitude fields of the admin shop form: click or
drag the pin to fill them in (static/shops/admin/position-picker.js). Typed
values always work; the map is only an enhancement."""

from django.conf import settings
from wagtail.admin.panels import Panel


class PositionPickerPanel(Panel):
    def __init__(self, latitude="latitude", longitude="longitude", **kwargs):
        super().__init__(**kwargs)
        self.latitude = latitude
        self.longitude = longitude

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "latitude": self.latitude,
                "longitude": self.longitude}

    class BoundPanel(Panel.BoundPanel):
        template_name = "shops/admin/position_picker_panel.html"

        class Media:
            css = {"all": ["vendor/leaflet/leaflet.css", "shops/admin/position-picker.css"]}
            js = ["vendor/leaflet/leaflet.js", "shops/admin/position-picker.js"]

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            form = self.form
            portal = settings.PORTAL
            context.update({
                "latitude_id": form[self.panel.latitude].id_for_label,
                "longitude_id": form[self.panel.longitude].id_for_label,
                "tile_url": portal.get("MAP_TILE_URL", ""),
                "attribution": portal.get("MAP_ATTRIBUTION", ""),
            })
            return context
