"""Registration for trainings and webinars: public listing, sign-up with
limited places, waiting list, confirmations, reminders, attendance lists."""
