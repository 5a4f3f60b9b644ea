"""Trainings people register for, and their registrations."""
