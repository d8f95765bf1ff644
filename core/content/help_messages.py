"""What the assistant says when it finds help points and mobile-team visits (issue 3)."""

from core.i18n import N_

WHERE_ARE_YOU = N_(
    "Where are you? Send your postcode (for example 5912 AB) or the name of your town, or share your location."
)
BUTTON_SHARE_LOCATION = N_("Share my location")
WHICH_PLACE = N_("There are several places called %(name)s. Which one do you mean?")
PLACE_IN_PROVINCE = N_("%(name)s (%(province)s)")
NEAREST_INTRO = N_("Help points nearest to %(place)s:")
POINT_DISTANCE = N_("%(distance)s away")
POINT_ADDRESS = N_("Address: %(address)s")
POINT_NO_ADDRESS = N_("The address is not published. Ask on workinnl.nl or by phone.")
POINT_HOURS = N_("Opening hours: %(hours)s")
POINT_PHONE = N_("Phone: %(phone)s")
POINT_MAP = N_("Map: %(url)s")
POINT_LANGUAGES = N_("Languages: %(languages)s")
REGION_POINTS = N_("Help points for EU workers in your region (%(region)s):")
NO_WIN_POINT_IN_REGION = N_(
    "No WIN-punt (help point for EU workers) is known in your region (%(region)s) yet. The nearest one is:"
)
NATIONAL_OPTIONS = N_(
    "Information in your language: workinnl.nl. A temp agency breaks the agency CAO? Report it to the SNCU, "
    "0800-7008 (anonymous). In danger: call 112."
)
CHECKED_LINE = N_("Help point data last checked: %(date)s")

KIND_WIN_POINT = N_("WIN-punt")
KIND_RNI_DESK = N_("RNI desk (registration)")
KIND_INFORMATION_POINT = N_("Information point")
KIND_EXPAT_CENTRE = N_("Expat centre")
KIND_MOBILE_BUS = N_("Mobile team")
KIND_OTHER = N_("Help desk")

VISITS_AT = N_("Next mobile team visits at %(location)s:")
VISITS_NEAR = N_("Next mobile team visits near %(place)s:")
VISIT_LINE = N_("%(when)s, %(location)s")
VISIT_LANGUAGES = N_("The team speaks: %(languages)s")
VISIT_CHANGED = N_("Changed: check the new time.")
VISIT_CANCELLED = N_("Cancelled.")
NO_VISITS_AT = N_(
    "No mobile team visit is planned at %(location)s in the next 4 weeks. Ask me again next week: visits are "
    "added when they are planned."
)
NO_VISITS_NEAR = N_(
    "No mobile team visit is planned near %(place)s in the next 4 weeks. Ask me again next week: visits are "
    "added when they are planned."
)
NEAREST_HELP_INSTEAD = N_("Until then, the nearest help point is:")
SUBSCRIBE_OFFER = N_("Do you want a message when the mobile team comes to %(location)s?")
BUTTON_NOTIFY = N_("Notify me")
BUTTON_STOP = N_("Stop messages")
SUBSCRIBED = N_(
    "Done: you will get a message when the mobile team visits %(location)s. Send \"stop\" at any time to "
    "stop these messages."
)
ALREADY_SUBSCRIBED = N_("You already get messages about visits at %(location)s.")
UNSUBSCRIBED = N_("Done: you will no longer get messages about mobile team visits.")
NOT_SUBSCRIBED = N_("You don't get any messages about mobile team visits.")
UNKNOWN_LOCATION_LINK = N_("This QR code or link is no longer valid. Ask the mobile team for a new one.")
QR_CAPTION = N_("Scan: messages about mobile team visits here")

CAVEAT_APPOINTMENT = N_("Only with an appointment.")
CAVEAT_ANNOUNCED = N_("This point was announced; we don't know yet if it is open.")
CAVEAT_OUTDATED = N_("This information may be out of date.")
CAVEAT_KNOWLEDGE_MIGRANTS = N_("Mainly for highly skilled migrants, but it has useful general information.")
