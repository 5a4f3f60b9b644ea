"""/<lang>/learning/...: the learner's pages and API (urls_learner.py) and
the trainers' pages (urls_trainer.py), one namespace."""

from .urls_learner import urlpatterns as learner_patterns
from .urls_trainer import urlpatterns as trainer_patterns

app_name = "learning"

urlpatterns = learner_patterns + trainer_patterns
