"""Distances for the "near me" search, at prefecture scale.

An equirectangular approximation: one degree of latitude is ~111.2 km and one
degree of longitude is that times cos(latitude of the origin). Across Osaka
Prefecture (~80 km) the error is well under 1 %, far below what "約300m" shows.

The SQL side needs only + − × (no trigonometry in the database): cos(origin)
is computed here once per search, so ordering works the same on SQLite and
PostgreSQL, and a (latitude, longitude) range serves as the index prefilter.
"""

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.utils.translation import gettext

# Mean Earth radius (6,371.0088 km) × π / 180.
KM_PER_DEGREE = 111.195
DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 50
MIN_RADIUS_KM = 0.1


@dataclass(frozen=True)
class Origin:
    """The searcher's position; `radius_km` bounds the search."""

    latitude: float
    longitude: float
    radius_km: float = DEFAULT_RADIUS_KM

    @property
    def longitude_scale(self) -> float:
        # Kept away from 0 so a position near a pole cannot divide by zero.
        return max(math.cos(math.radians(self.latitude)), 0.01)

    def bounding_box(self, radius_km: float | None = None) -> dict[str, float]:
        """Lookups for the square around the circle of `radius_km` (index prefilter)."""
        radius = self.radius_km if radius_km is None else radius_km
        dlat = radius / KM_PER_DEGREE
        dlng = radius / (KM_PER_DEGREE * self.longitude_scale)
        return {
            "latitude__gte": self.latitude - dlat,
            "latitude__lte": self.latitude + dlat,
            "longitude__gte": self.longitude - dlng,
            "longitude__lte": self.longitude + dlng,
        }

    def squared_distance_expression(self) -> ExpressionWrapper:
        """(Δlat)² + (Δlng·cos lat₀)², in squared degrees: orders by distance in SQL."""
        dlat = F("latitude") - Value(self.latitude)
        dlng = (F("longitude") - Value(self.longitude)) * Value(self.longitude_scale)
        return ExpressionWrapper(dlat * dlat + dlng * dlng, output_field=FloatField())

    @staticmethod
    def squared_degrees(radius_km: float) -> float:
        """A radius in km as the squared-degree value the SQL expression compares with."""
        return (radius_km / KM_PER_DEGREE) ** 2

    def distance_km(self, latitude: float, longitude: float) -> float:
        """The same approximation as the SQL expression, in km."""
        dlat = latitude - self.latitude
        dlng = (longitude - self.longitude) * self.longitude_scale
        return math.hypot(dlat, dlng) * KM_PER_DEGREE


def format_distance(km: float) -> str:
    """A rounded, approximate distance: 約300m below 1 km, 約3.0km above."""
    metres = round(km * 100) * 10  # nearest 10 m
    if metres < 1000:
        return gettext("About %(metres)s m") % {"metres": max(metres, 10)}
    return gettext("About %(km)s km") % {"km": f"{km:.1f}"}
