"""Rating model (tenant schema): the visitor's 1-5 score of a conversation, last one wins.

The analytics read this table (`ratings_rating`) directly: keep its columns stable.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from parlor.chat.models import Room

SCORE_MIN = 1
SCORE_MAX = 5


class Rating(models.Model):
    """One conversation's satisfaction rating: a score of 1-5 and an optional comment."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")
    # When the (latest) rating was given: a new rating of the same room replaces the old one.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room"], name="ratings_rating_one_per_room"),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="ratings_rating_score_1_5",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="ratings_rating_created")]

    def __str__(self) -> str:
        return f"{self.room_id}: {self.score}"
