"""What residents get about a mobile-team visit at their housing location (issue 9)."""

from core.i18n import N_

ANNOUNCEMENT = N_("The mobile team is coming to %(location)s.")
REMINDER = N_("Reminder: the mobile team is coming to %(location)s soon.")
CHANGED = N_("The mobile team visit to %(location)s has changed. This is the new plan:")
CANCELLED = N_("The mobile team visit to %(location)s on %(when)s is cancelled.")
CANCELLED_NEXT = N_("We will send you a message when a new visit is planned.")
WHEN = N_("When: %(when)s")
WHERE = N_("Where: %(address)s")
TEAM = N_("Team: %(team)s")
TOPICS = N_("They can help with: %(topics)s")
NOTE = N_("Message from the team: %(note)s")
HOW_TO_STOP = N_("Don't want these messages? Write \"stop\" or press the button.")
TOPIC_OTHER = N_("other questions")
