"""The information topics and their sub-question answers (keys: docs/subtopics.md).

Every fact comes from ../shared/facts/netherlands-facts.md; each answer names its sources.
Money, percentages and full calendar dates are placeholders filled from ``values``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

from core.content.model import FACTS_CHECKED, FACTS_CHECKED_UPDATE, Answer, Topic
from core.formatting import Money, Percent
from core.i18n import N_


def _values(**values: object) -> MappingProxyType:
    return MappingProxyType(values)


#: Wet goed verhuurderschap (Good Landlordship Act) in force; separate rental contracts from then on.
_LANDLORD_ACT_DATE = dt.date(2023, 7, 1)

# Sources used by more than one answer, or named as the official page of a period-bound figure.
#: The government's minimum wage page: the fact sheet (section 15) sends users there for the current rate.
_GOV_MINIMUM_WAGE = "https://www.rijksoverheid.nl/onderwerpen/minimumloon"
_MINIMUM_WAGE_2026_H1 = "https://www.grootheddeaccountants.nl/wettelijk-minimumloon-per-1-januari-2026"
_GOV_HEALTH_INSURANCE = "https://www.government.nl/topics/health-insurance"
_ZILVEREN_KRUIS_2026 = "https://www.zilverenkruis.nl/consumenten/zorgverzekering/veranderingen/prinsjesdag"
_BELASTINGDIENST_ZORGTOESLAG = (
    "https://www.belastingdienst.nl/wps/wcm/connect/bldcontentnl/belastingdienst/prive/toeslagen/"
    "zorgtoeslag/voorwaarden/zorgtoeslag-als-u-in-nederland-woont-en-in-het-buitenland-werkt"
)
_METRO_ZORGTOESLAG_2026 = "https://www.metronieuws.nl/geld-carriere/toeslagen/2025/11/dit-inkomen-2026-maximale-zorgtoeslag-br/"
_JURIDISCH_LOKET_SICK_PAY = "https://www.juridischloket.nl/werk/ziekte-en-werk/loondoorbetaling-bij-ziekte/"

_GOV_RTB_EXTENSION = (
    "https://www.rijksoverheid.nl/actueel/nieuws/2025/07/04/verlenging-richtlijn-tijdelijke-bescherming-tot-en-met-"
    "4-maart-2027-voor-vluchtelingen-uit-oekraine-en-raadsaanbevelingen-voor-na-afloop-van-de-rtb"
)
_REFUGEEHELP_HEALTH = "https://www.refugeehelp.nl/en/get-help/general/health-insurance"
_HUURCOMMISSIE_PROCEDURE = "https://www.huurcommissie.nl/onderwerpen/huurverlaging/tijdens-de-procedure"
_HUURCOMMISSIE_REPAIRS = "https://www.huurcommissie.nl/onderwerpen/onderhoud-en-gebreken/tijdens-de-procedure"
_BELASTINGDIENST_HUURTOESLAG = (
    "https://www.belastingdienst.nl/wps/wcm/connect/bldcontenten/belastingdienst/individuals/benefits/"
    "moving_to_the_netherlands/i_live_in_a_rented_house/i_live_in_a_rented_house"
)
_TOESLAGEN_2026 = (
    "https://www.overtoeslagen.nl/actueel/nieuws/2025/11/24/bedragen-huurtoeslag-en-andere-toeslagen-2026-bekend"
)
_UTWENTE_WW = (
    "https://www.utwente.nl/hr/en/terms-of-employment/leaving-employment/unemployed/unemployment-benefit/"
)
_BUSINESS_ACCIDENTS = "https://business.gov.nl/regulation/reporting-industrial-accidents/"
_SVB_CHILD_ABROAD = (
    "https://www.svb.nl/int/en/kinderbijslag/wonen_werken_buiten_nederland/kind_gaat_buiten_nederland_wonen/"
)
_CHILD_BENEFIT_2026 = "https://slimgeldbeheer.nl/post/kinderbijslag-2026-bedragen-per-leeftijd"

# --- Registration ---------------------------------------------------------------------------------

_REGISTRATION = Topic(
    intent="brp_registration",
    title=N_("Registration"),
    question=N_("What do you want to know about registration?"),
    answers=(
        Answer(
            key="brp_registration/brp_or_rni",
            title=N_("BRP or RNI?"),
            text=N_(
                "Will you live in the Netherlands for more than 4 months within 6 months? "
                "Then register in the BRP (the population register) at the gemeente (municipality) "
                "where you live.\n"
                "Go in person within 5 days after you arrive. It is free.\n"
                "Staying shorter, or living abroad and only working here? "
                "Then register in the RNI (the register for non-residents) at one of the 19 RNI desks.\n"
                "Both give you a BSN (your citizen service number)."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
                "https://www.netherlandsworldwide.nl/government-services-in-the-netherlands/"
                "registering-with-the-municipality-in-the-netherlands/municipality-helmond",
                "https://sdg.rijksoverheid.nl/regelen-in-nederland/"
                "gemeente-inschrijven-kort-verblijf-in-nederland/gemeente-amsterdam",
            ),
        ),
        Answer(
            key="brp_registration/rni_desks",
            title=N_("RNI desks"),
            text=N_(
                "There are 19 RNI desks. You can choose any of them: Alkmaar, Almelo, Amsterdam, "
                "Breda, Den Haag, Doetinchem, Eindhoven, Goes, Groningen, Heerlen, Leeuwarden, Leiden, "
                "Nijmegen, Rotterdam, Terneuzen, Utrecht, Venlo, Westland, Zwolle.\n"
                "• Only with an appointment. Registration is free.\n"
                "• Some desks ask you to fill in an online form first and bring the QR code.\n"
                "• You do not speak Dutch, English or German? Some desks ask you to bring an interpreter.\n"
                "• You usually get your BSN (citizen service number) right away.\n"
                "Questions about the RNI: RvIG helpline 088 900 1000, Monday to Friday 08:30–17:00."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.rvig.nl/taxonomy/term/35",
                "https://sdg.rijksoverheid.nl/regelen-in-nederland/"
                "gemeente-inschrijven-kort-verblijf-in-nederland/gemeente-amsterdam",
                "https://www.breda.nl/inschrijven-de-registratie-niet-ingezetenen",
            ),
        ),
        Answer(
            key="brp_registration/what_to_bring",
            title=N_("What to bring"),
            text=N_(
                "For EU citizens:\n"
                "• A valid passport or EU ID card. A driving licence is not accepted.\n"
                "• Proof of address: a rental contract signed by you and the landlord. "
                "Do you live in someone else's home? Bring a signed permission from the main occupant "
                "(hoofdbewoner) and a copy of their ID.\n"
                "• If you have them: birth certificate, marriage or divorce certificate. "
                "Some may need an official (sworn) translation.\n"
                "• For children: an official document that names the parent, like a birth certificate.\n"
                "Rules can differ per gemeente (municipality), so ask them which documents they want.\n"
                "From Ukraine, with temporary protection? See the answer for Ukrainians in this topic."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
                "https://www.lifeportwelcomecenter.nl/lwc/governmental-procedures/"
                "registration-in-the-netherlands/long-term-stay/",
                "https://www.breda.nl/inschrijven-de-registratie-niet-ingezetenen",
            ),
        ),
        Answer(
            key="brp_registration/bsn",
            title=N_("BSN number"),
            text=N_(
                "The BSN is your citizen service number. You get it when you register in the BRP "
                "at the gemeente (municipality) or in the RNI.\n"
                "At an RNI desk you usually get it right away, on your proof of registration.\n"
                "You need your BSN for work, taxes, a bank account, health insurance and benefits."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.netherlandsworldwide.nl/government-services-in-the-netherlands/"
                "registering-with-the-municipality-in-the-netherlands/municipality-helmond",
                "https://www.uwv.nl/en/individuals/working-in-the-netherlands/eu-eea-swiss-national",
                "https://www.breda.nl/inschrijven-de-registratie-niet-ingezetenen",
            ),
        ),
        Answer(
            key="brp_registration/digid",
            title=N_("DigiD"),
            text=N_(
                "DigiD is the login for Dutch government websites. You need a BSN (citizen service "
                "number) to get one. Registered at the gemeente? Apply for a DigiD.\n"
                "EU citizen living abroad and registered in the RNI? You can still get one. You need:\n"
                "• a valid EU passport or ID card (not a driving licence)\n"
                "• your BSN and your RNI registration\n"
                "• a mobile phone that gets SMS, and an e-mail address\n"
                "After you apply, you get a counter code (baliecode). You get the activation code "
                "by video call with Nederland Wereldwijd, or at a DigiD desk within 30 days.\n"
                "EU citizens can also log in with a European login from their own country (eIDAS).\n"
                "From Ukraine, with temporary protection? See the answer for Ukrainians in this topic."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.digid.nl/buitenland/",
                "https://www.uwv.nl/en/individuals/working-in-the-netherlands/eu-eea-swiss-national",
                "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
            ),
        ),
        Answer(
            key="brp_registration/deregister",
            title=N_("Leaving NL"),
            text=N_(
                "Will you live abroad for at least 8 months within 12 months? "
                "Then you must deregister at your gemeente (municipality).\n"
                "Do it in the last 5 days before you leave, not earlier. It is free.\n"
                "If your whole household leaves, you can often do it online with DigiD.\n"
                "Ask for proof of deregistration (bewijs van uitschrijving) on that day. "
                "Later, only an RNI desk can give it.\n"
                "Moving to another address in the Netherlands? Tell your gemeente too."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
                "https://www.tiel.nl/emigratie-doorgeven",
                "https://www.dronten.nl/direct-regelen/leefomgeving/verhuizen/"
                "emigratie-een-of-meer-personen-blijven-achter-op-het-adres/326/",
            ),
        ),
        Answer(
            key="brp_registration/ukraine",
            title=N_("Ukrainians: register"),
            text=N_(
                "For people from Ukraine with temporary protection:\n"
                "• Your temporary protection runs until %(rtb_end)s. If it will be extended again is not "
                "known yet.\n"
                "• Register in the BRP at the gemeente (municipality) where you stay: in a shelter, with a "
                "host family or in your own home. Bring your passport or another ID that shows you are "
                "Ukrainian.\n"
                "• No documents? First get a certificate of identity and nationality at the Ukrainian "
                "Embassy, Zeestraat 78, 2518 AD Den Haag.\n"
                "• You get a BSN, and with it you can apply for DigiD. Still registered in another EU "
                "country? Deregister there first.\n"
                "• Then get your proof of residence from the IND: a sticker or an O-document.\n"
                "Information in Ukrainian: RefugeeHelp (refugeehelp.nl) and the websites of many "
                "gemeenten, like Den Haag and Amersfoort."
            ),
            values=_values(rtb_end=dt.date(2027, 3, 4)),
            valid_until=dt.date(2027, 3, 4),
            official=_GOV_RTB_EXTENSION,
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.denhaag.nl/en/municipality-of-the-hague/ukraine/registration-at-the-municipality-for-ukrainians.htm",
                "https://www.refugeehelp.nl/en/ukrainian-refugee/article/"
                "100040-this-is-what-you-should-do-if-you-have-temporary-protection",
                _GOV_RTB_EXTENSION,
            ),
        ),
    ),
)

# --- Housing --------------------------------------------------------------------------------------

_HOUSING = Topic(
    intent="housing_rights",
    title=N_("Housing"),
    question=N_("What do you want to know about housing?"),
    answers=(
        Answer(
            key="housing_rights/space_norms",
            title=N_("Space per person"),
            text=N_(
                "Worker housing can have a quality mark. It is voluntary, and the housing is checked "
                "every year.\n"
                "• SNF mark (worker housing): at least 10 m² of living space per person, 12 m² in a "
                "normal house. At least 3.5 m² per person in the bedroom. A bed and a wardrobe for "
                "each person. At least 1 toilet and 1 shower for every 8 people.\n"
                "• AKF mark (farm housing, all year): at least 15 m² per worker from %(akf_date)s. "
                "At most 2 people per bedroom. Toilets and showers in the same building.\n"
                "Norms can change. Ask your landlord which quality mark your housing has."
            ),
            values=_values(akf_date=dt.date(2026, 1, 1)),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.normeringflexwonen.nl/information-for-residents",
                "https://www.normeringflexwonen.nl/nieuws/"
                "tijdelijke-uitzondering-voor-ruimte-in-slaapvertrek-bij-huisvesting-op-recreatieterrein-"
                "vervalt-per-1-1-2024",
                "https://www.vdba-salarisverwerking.nl/nieuws/nieuwe-certificeringsnormen-agrarisch-keurmerk-flexwonen",
            ),
        ),
        Answer(
            key="housing_rights/rent_deduction",
            title=N_("Rent from wage"),
            text=N_(
                "Your employer may normally not take anything from your minimum wage. "
                "Housing costs are an exception.\n"
                "• At most %(max_share)s of the minimum wage may be taken for housing.\n"
                "• Only if the housing is certified (SNF or AKF quality mark).\n"
                "• A plan to lower this limit from 2026 was dropped, so %(max_share)s still applies.\n"
                "• Every deduction must be on your loonstrook (payslip).\n"
                "More taken, or housing not certified? Call the Arbeidsinspectie (Labour Authority) "
                "on 0800 51 51."
            ),
            values=_values(max_share=Percent(Decimal("25"))),
            figures=_values(
                max_share="https://www.gemeente.nu/ruimte-milieu/wonen/regeling-voor-huisvestingskosten-arbeidsmigranten-blijft-bestaan/"
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://tweedekamer.nl/kamerstukken/detail?did=2025D05142&id=2025D05142",
                "https://www.gemeente.nu/ruimte-milieu/wonen/regeling-voor-huisvestingskosten-arbeidsmigranten-blijft-bestaan/",
            ),
        ),
        Answer(
            key="housing_rights/separate_contracts",
            title=N_("Separate contracts"),
            text=N_(
                "Since %(since_date)s your rental contract must be separate from your work contract. "
                "So when your job ends, your rental contract does not end automatically. "
                "This is for rental contracts signed after that date.\n"
                "You must get a written rental contract, and written information about your rights, "
                "the deposit and how to contact the landlord.\n"
                "The deposit may be at most 2 months of the basic rent (without service costs)."
            ),
            values=_values(since_date=_LANDLORD_ACT_DATE),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/wgv-voor-arbeidsmigranten",
                "https://www.heerenveen.nl/bouwen-en-vestigen/meldpunt-verhuur/",
                "https://www.zoetermeer.nl/meldpunt-ongewenst-verhuurderschap",
            ),
        ),
        Answer(
            key="housing_rights/information_language",
            title=N_("Info in my language"),
            text=N_(
                "Your landlord must inform you in the language you prefer, "
                "or in another language you understand well.\n"
                "You must also get written information about your rights and duties, the deposit "
                "and how to contact the landlord.\n"
                "This is the law (Wet goed verhuurderschap) since %(since_date)s.\n"
                "Not informed? You can report it to the meldpunt (reporting point) of your "
                "gemeente (municipality)."
            ),
            values=_values(since_date=_LANDLORD_ACT_DATE),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.heerenveen.nl/bouwen-en-vestigen/meldpunt-verhuur/",
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/wgv-voor-arbeidsmigranten",
            ),
        ),
        Answer(
            key="housing_rights/job_loss",
            title=N_("Lost job, lost bed?"),
            text=N_(
                "Two different rules can apply:\n"
                "• The law: a rental contract signed after %(since_date)s must be separate from your work "
                "contract, so it does not end automatically when your job ends. Check the end date and the "
                "notice rules in your rental contract.\n"
                "• The agency CAO (collective labour agreement for temp workers): do you live in housing "
                "from your temp agency? When your agency contract ends, the CAO says you must leave within "
                "4 weeks, and you pay the same rent in that time. Are you ill or have no money? "
                "The agency must take this into account and give you a fair time to leave.\n"
                "Agencies often use a short-term rental contract (naar zijn aard van korte duur), "
                "which protects you less. Not sure which rule applies to you? Ask the meldpunt "
                "(reporting point) of your gemeente or a WIN-punt.\n"
                "Nowhere to sleep? Help is limited. Organisations that help: Barka, "
                "De Regenboog (Amsterdam) and Leger des Heils (Salvation Army). "
                "Some cities, like Eindhoven and Venlo, have offered a short stay."
            ),
            values=_values(since_date=_LANDLORD_ACT_DATE),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.sncu.nl/vraag-en-antwoord/wanneer-dient-een-uitzendkracht-een-gefaciliteerde-huisvesting-te-verlaten/",
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/wgv-voor-arbeidsmigranten",
                "https://www.flexmarkt.nl/werkgeverschap/ontruimingstermijn-huisvesting-arbeidsmigranten/",
                "https://nos.nl/artikel/2543806-dakloze-arbeidsmigranten-toch-weer-aan-het-werk-door-nieuwe-proef-gemeenten",
            ),
        ),
        Answer(
            key="housing_rights/report_landlord",
            title=N_("Report a landlord"),
            text=N_(
                "Every gemeente (municipality) has a meldpunt (reporting point) for bad landlords "
                "since %(since_date)s.\n"
                "You can report landlords, rental agents, and employers or agencies that house workers.\n"
                "You can report anonymously, but then you will not hear the result.\n"
                "The gemeente can give a warning, a fine or other measures.\n"
                "Forms are often only in Dutch. A WIN-punt (help point for EU workers) may help you."
            ),
            values=_values(since_date=dt.date(2024, 1, 1)),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/"
                "gemeentelijk-meldpunt-goed-verhuurderschap",
                "https://www.zuidplas.nl/melding-ongewenst-verhuurgedrag",
                "https://www.roosendaal.nl/meldpunt-ongewenst-verhuurgedrag",
            ),
        ),
        Answer(
            key="housing_rights/huurcommissie",
            title=N_("Rent or repairs"),
            text=N_(
                "The Huurcommissie (Rent Tribunal) settles disputes between tenants and landlords: rent that "
                "is too high, rent increases, service costs and repairs. Its decision is binding, unless "
                "you or the landlord go to court.\n"
                "• It costs you %(tenant_fee)s. You get it back if you win.\n"
                "• Rent too high? They check your home with a points system. You do not have to count the "
                "points yourself. There is a free Rent Check in English on their website.\n"
                "• Repairs: first ask your landlord in writing and keep a copy. The landlord then has 6 weeks. "
                "Nothing done? Ask the Huurcommissie for a lower rent and send a copy of your letter. "
                "For serious defects the rent can go down to %(low)s, %(middle)s or %(high)s of the bare rent "
                "until they are fixed.\n"
                "• Keep paying your rent during the procedure.\n"
                "It is not clear if agency housing with a short-term contract can go to the Huurcommissie. "
                "The meldpunt (reporting point) of your gemeente can also help."
            ),
            values=_values(
                tenant_fee=Money(Decimal("25")), low=Percent(Decimal("20")), middle=Percent(Decimal("30")),
                high=Percent(Decimal("40")),
            ),
            figures=_values(
                tenant_fee=_HUURCOMMISSIE_PROCEDURE, low=_HUURCOMMISSIE_REPAIRS, middle=_HUURCOMMISSIE_REPAIRS,
                high=_HUURCOMMISSIE_REPAIRS,
            ),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                _HUURCOMMISSIE_PROCEDURE,
                _HUURCOMMISSIE_REPAIRS,
                "https://huurcommissie.nl/actueel/nieuws/2024/11/12/new-rent-check-now-also-available-in-english",
            ),
        ),
        Answer(
            key="housing_rights/huurtoeslag",
            title=N_("Rent benefit"),
            text=N_(
                "Huurtoeslag (rent benefit) is money from the government towards your rent. You can get it if:\n"
                "• you are 18 or older and a citizen of the EU, the EEA or Switzerland (others need a valid "
                "residence permit)\n"
                "• you rent a home of your own: your own kitchen, toilet, shower and front door\n"
                "• you and everyone who lives with you are registered (BRP) at that address\n"
                "• you have your own rental contract, and your rent, income and savings are not too high\n"
                "A room in a shared or agency house (shared kitchen, toilet or front door) usually gives no "
                "huurtoeslag. An RNI registration is not a registration at your address.\n"
                "In 2026 it is counted on your bare rent (without service costs), up to %(rent_cap)s "
                "(age 21 and over). The savings limit for a single person is %(savings)s.\n"
                "Apply in Mijn toeslagen with DigiD; you can do a test calculation on toeslagen.nl first. "
                "Report changes, like moving or leaving the country, or you will have to pay it back."
            ),
            values=_values(rent_cap=Money(Decimal("932.93")), savings=Money(Decimal("38479"))),
            figures=_values(rent_cap=_TOESLAGEN_2026, savings=_TOESLAGEN_2026),
            valid_until=dt.date(2026, 12, 31),
            official=_BELASTINGDIENST_HUURTOESLAG,
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                _BELASTINGDIENST_HUURTOESLAG,
                "https://www.belastingdienst.nl/wps/wcm/connect/bldcontenten/belastingdienst/individuals/benefits/"
                "moving_to_the_netherlands/i_live_in_a_rented_house/which-types-of-homes-qualify-for-rent-benefit",
                _TOESLAGEN_2026,
            ),
        ),
    ),
)

# --- Health insurance -----------------------------------------------------------------------------

_HEALTH = Topic(
    intent="health_insurance",
    title=N_("Health insurance"),
    question=N_("What do you want to know about health insurance?"),
    answers=(
        Answer(
            key="health_insurance/obligation",
            title=N_("Must I be insured?"),
            text=N_(
                "Do you live or work in the Netherlands? Then you must have Dutch basic health "
                "insurance (basisverzekering), even if you are insured in your home country.\n"
                "This starts when you register at the gemeente or start work for a Dutch employer.\n"
                "You have 4 months to take it out. Then it covers you from the start, and you pay "
                "from the start. Later than 4 months: no cover for the gap, and you pay that care "
                "yourself.\n"
                "EU citizen whose employer is outside the Netherlands (posted worker, with an A1 "
                "certificate)? Then your home insurance is normally enough. An EHIC card alone is not enough "
                "if you work for a Dutch employer or Dutch agency.\n"
                "From Ukraine, with temporary protection? Different rules apply: see the answer for Ukrainians "
                "in this topic."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.government.nl/topics/health-insurance/question-and-answer/"
                "when-do-i-need-to-take-out-health-insurance-if-i-come-to-live-in-the-netherlands",
                "https://government.nl/topics/immigration-to-the-netherlands/question-and-answer/"
                "when-do-i-need-to-take-out-health-insurance-if-i-come-to-live-in-the-netherlands",
                "https://www.uwv.nl/en/individuals/working-in-the-netherlands/eu-eea-swiss-national",
            ),
        ),
        Answer(
            key="health_insurance/uninsured_fine",
            title=N_("No insurance: fines"),
            text=N_(
                "The CAK (a government office) checks if you are insured. If you are not:\n"
                "• First a letter. You get 3 months to get insured.\n"
                "• Then a fine, and 3 more months.\n"
                "• Then a second fine, and 3 more months.\n"
                "• After that, the CAK signs you up with an insurer. The premium is taken from your "
                "wage or benefit, usually for about 12 months.\n"
                "Each fine is 3 times the monthly standard premium. Get insured in time."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.government.nl/topics/health-insurance/standard-health-insurance/people-with-no-health-insurance",
                "https://www.uwv.nl/particulieren/overige-onderwerpen/zorgverzekeringswet/detail/als-u-zich-niet-verzekert",
                "https://explore.law/app/library/nl-legislation/zorgverzekeringswet/artikel-9b",
            ),
        ),
        Answer(
            key="health_insurance/deductible",
            title=N_("Eigen risico"),
            text=N_(
                "The eigen risico (deductible) is the part of your care costs that you pay yourself "
                "each year. In 2026 it is %(deductible)s.\n"
                "Visits to your huisarts (family doctor) do not count: you do not pay eigen risico for them.\n"
                "Children under 18 have no eigen risico."
            ),
            values=_values(deductible=Money(Decimal("385"))),
            figures=_values(deductible=_ZILVEREN_KRUIS_2026),
            valid_until=dt.date(2026, 12, 31),
            official=_GOV_HEALTH_INSURANCE,
            checked=FACTS_CHECKED,
            sources=(_ZILVEREN_KRUIS_2026, _GOV_HEALTH_INSURANCE),
        ),
        Answer(
            key="health_insurance/allowance",
            title=N_("Zorgtoeslag"),
            text=N_(
                "Zorgtoeslag (healthcare allowance) is money from the government to help pay "
                "your health insurance.\n"
                "You can get it if you are 18 or older, have Dutch health insurance, and your income "
                "and savings are below the limits. Insured only abroad? Then you get no zorgtoeslag.\n"
                "In 2026 it is at most %(single_max)s a month for a single person, "
                "and %(partner_max)s with a partner.\n"
                "Apply in Mijn toeslagen with DigiD, or by phone via the BelastingTelefoon (tax helpline). "
                "You can do a test calculation on toeslagen.nl.\n"
                "Tell them when your income changes or you leave the Netherlands, "
                "or you may have to pay it back."
            ),
            values=_values(single_max=Money(Decimal("129")), partner_max=Money(Decimal("246"))),
            figures=_values(single_max=_METRO_ZORGTOESLAG_2026, partner_max=_METRO_ZORGTOESLAG_2026),
            valid_until=dt.date(2026, 12, 31),
            official=_BELASTINGDIENST_ZORGTOESLAG,
            checked=FACTS_CHECKED,
            sources=(
                "https://www.grensinfo.nl/nl/dewenl/zorg/zorgtoeslag",
                _BELASTINGDIENST_ZORGTOESLAG,
                _METRO_ZORGTOESLAG_2026,
            ),
        ),
        Answer(
            key="health_insurance/gp",
            title=N_("Family doctor (GP)"),
            text=N_(
                "The huisarts (family doctor, GP) is your first contact for health problems that are "
                "not an emergency. To see a hospital specialist, you need a letter from your huisarts.\n"
                "Register with a huisarts soon after you arrive. Bring your ID, your BSN and your "
                "insurance details.\n"
                "A huisarts usually only takes patients who live nearby, and some are full. "
                "Your health insurer can help you find one, or search by postcode on Zorgkaart Nederland.\n"
                "Also register with a pharmacy (apotheek) near you."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://gpinfo.nl/choosing-gp",
                "https://www.expatcentreleiden.nl/en/essentials/essential-information/healthcare/"
                "general-practitioner-huisarts",
            ),
        ),
        Answer(
            key="health_insurance/emergency_care",
            title=N_("Urgent care"),
            text=N_(
                "Life in danger or a serious accident? Call 112 now.\n"
                "Not life-threatening, but it cannot wait? In the daytime, call your huisarts "
                "(family doctor).\n"
                "In the evening, at night and at the weekend, call the huisartsenpost "
                "(out-of-hours GP service)."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://expatcentremaastrichtregion.nl/expats/formalities/general-practitioner",
                "https://www.expatcentreleiden.nl/en/essentials/essential-information/healthcare/"
                "general-practitioner-huisarts",
            ),
        ),
        Answer(
            key="health_insurance/ukraine",
            title=N_("Ukrainians: care"),
            text=N_(
                "For people from Ukraine with temporary protection:\n"
                "• Registered in the BRP, with a BSN? Then the RMO (the medical care scheme for displaced "
                "people from Ukraine) covers you, whether you work or not.\n"
                "• You pay no premium and no eigen risico (deductible), and you get no zorgtoeslag.\n"
                "• It covers the basic package and some extras, for example dental care for acute pain "
                "up to %(dental_max)s.\n"
                "• At the doctor, say that you are covered by the RMO and show your BSN.\n"
                "• Since %(since_date)s the government does not enforce the duty to take Dutch health "
                "insurance for working people with temporary protection. Some older pages still say you "
                "must take it. Not sure? Ask your gemeente (municipality).\n"
                "From Ukraine but working here without temporary protection, for example with a work permit? "
                "Then you need Dutch health insurance, like other workers."
            ),
            values=_values(dental_max=Money(Decimal("250")), since_date=dt.date(2022, 8, 1)),
            figures=_values(dental_max=_REFUGEEHELP_HEALTH),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                _REFUGEEHELP_HEALTH,
                "https://www.rijksoverheid.nl/actueel/nieuws/2022/06/29/zorgverzekering-ontheemden-oekraine-verandert",
                "https://www.nfofruit.nl/nieuws/geen-zorgverzekering-meer-nodig-voor-gevluchte-oekrainers/",
            ),
        ),
    ),
)

# --- Work and pay ---------------------------------------------------------------------------------

_WORK = Topic(
    intent="work_rights",
    title=N_("Work and pay"),
    question=N_("What do you want to know about work and pay?"),
    answers=(
        Answer(
            key="work_rights/minimum_wage",
            title=N_("Minimum wage"),
            text=N_(
                "The minimum wage changes every 1 January and 1 July. The government's page (link below) "
                "always has the rate that applies today.\n"
                "The last rate we know is for %(from_date)s to %(to_date)s: %(wage)s gross per hour "
                "for age 21 and over. In that period it was %(wage_20)s at age 20, %(wage_19)s at 19 "
                "and %(wage_18)s at 18.\n"
                "We do not know the rate from %(next_date)s yet, so please check the official page.\n"
                "A CAO (collective labour agreement) or your contract can give more. "
                "Then you get the higher amount."
            ),
            values=_values(
                from_date=dt.date(2026, 1, 1),
                to_date=dt.date(2026, 6, 30),
                next_date=dt.date(2026, 7, 1),
                wage=Money(Decimal("14.71")),
                wage_20=Money(Decimal("11.77")),
                wage_19=Money(Decimal("8.83")),
                wage_18=Money(Decimal("7.36")),
            ),
            figures=_values(
                wage=_MINIMUM_WAGE_2026_H1, wage_20=_MINIMUM_WAGE_2026_H1, wage_19=_MINIMUM_WAGE_2026_H1,
                wage_18=_MINIMUM_WAGE_2026_H1,
            ),
            valid_until=dt.date(2026, 6, 30),
            official=_GOV_MINIMUM_WAGE,
            # Section 15 of the fact sheet: searched again for a newer rate on this day, none found.
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                _GOV_MINIMUM_WAGE,
                _MINIMUM_WAGE_2026_H1,
                "https://www.mkbservicedesk.nl/nieuws/ondernemersnieuws/minimumloon-2026-dit-zijn-de-nieuwe-bedragen-per-1-januari",
            ),
        ),
        Answer(
            key="work_rights/payslip",
            title=N_("Payslip"),
            text=N_(
                "You must get a loonstrook (payslip) with your first pay, and every time your pay "
                "is different from the last time. A digital payslip is only allowed if you agree "
                "and can save it. It must show:\n"
                "• your gross wage and how it is made up, and your holiday pay\n"
                "• the minimum wage that applies to you\n"
                "• every deduction: tax, pension, health insurance, housing\n"
                "• your name, the employer's name, the pay period, your contract hours and type of contract\n"
                "No payslip or a wrong one? The Arbeidsinspectie (Labour Authority) can fine the employer."
            ),
            checked=FACTS_CHECKED,
            sources=(
                "https://ondernemersklankbord.nl/articles/loonstrook-aan-uw-werknemer-geven/",
                "https://www.loket.nl/kb/wat-moet-er-op-een-loonstrook-staan/",
            ),
        ),
        Answer(
            key="work_rights/holiday_pay",
            title=N_("Holiday pay"),
            text=N_(
                "You have the right to vakantiegeld (holiday pay): at least %(share)s of your gross wage.\n"
                "It is usually paid once a year, in May or June, unless other agreements apply.\n"
                "Check it on your loonstrook (payslip).\n"
                "Not paid? Call the Arbeidsinspectie (Labour Authority) on 0800 51 51."
            ),
            values=_values(share=Percent(Decimal("8"))),
            figures=_values(share="https://praktijkgidsarbeidsrecht.nl/publicaties/praktijkgids-arbeidsrecht/37193"),
            checked=FACTS_CHECKED,
            sources=(
                "https://praktijkgidsarbeidsrecht.nl/publicaties/praktijkgids-arbeidsrecht/37193",
                "https://www.overeenkomsten.nl/uitleg/vakantiegeld/",
                "https://www.nllabourauthority.nl/topics/labour-market-fraud-and-malpractices",
            ),
        ),
        Answer(
            key="work_rights/sick_pay",
            title=N_("Sick pay"),
            text=N_(
                "When you are ill, your employer pays at least %(share)s of your wage, "
                "for up to 104 weeks.\n"
                "In the first 52 weeks, this may not be less than the minimum wage that applies to you.\n"
                "Your contract may say that the first 2 sick days are unpaid (waiting days). "
                "A CAO (collective labour agreement) often gives more.\n"
                "Did your contract end while you were ill, or are you an agency worker with an "
                "agency clause (uitzendbeding)? Then you may get sickness benefit (Ziektewet) "
                "from the UWV (the employee insurance agency)."
            ),
            values=_values(share=Percent(Decimal("70"))),
            figures=_values(share=_JURIDISCH_LOKET_SICK_PAY),
            checked=FACTS_CHECKED,
            sources=(
                _JURIDISCH_LOKET_SICK_PAY,
                "https://www.fairwork.nu/en/frequently-asked-questions/",
            ),
        ),
        Answer(
            key="work_rights/labour_authority",
            title=N_("Labour Authority"),
            text=N_(
                "The Nederlandse Arbeidsinspectie (Netherlands Labour Authority) checks minimum wage "
                "and holiday pay, working hours, safe work, temp agencies and posted workers. "
                "It also investigates labour exploitation.\n"
                "To complain: call 0800 51 51 (free) or use the online form on its website.\n"
                "Usually you must first try to solve it with your employer.\n"
                "Anonymous tips are only investigated if there is serious danger, or if underpayment "
                "of the minimum wage or holiday pay can be shown.\n"
                "An employer can be fined up to %(fine)s for each underpaid worker."
            ),
            values=_values(fine=Money(Decimal("12000"))),
            figures=_values(fine="https://www.nllabourauthority.nl/topics/labour-market-fraud-and-malpractices"),
            checked=FACTS_CHECKED,
            sources=(
                "https://www.nllabourauthority.nl/topics/investigating-complaints",
                "https://www.nllabourauthority.nl/about-netherlands-labour-authority/tasks",
                "https://www.nllabourauthority.nl/topics/labour-market-fraud-and-malpractices",
            ),
        ),
        Answer(
            key="work_rights/sick_dismissal",
            title=N_("Ill: can I be fired?"),
            text=N_(
                "In principle your employer may not dismiss you while you are ill, in the first 2 years "
                "of illness. But:\n"
                "• In the probation period you can be dismissed, but not because you are ill.\n"
                "• A fixed-term contract may end on its agreed date. Then your employer reports you ill to "
                "the UWV and you can get a Ziektewet (sickness) benefit.\n"
                "• Agency worker: your agency contract does not end just because you report sick "
                "(Supreme Court, %(court_date)s). If it ends while you are ill, you get a Ziektewet benefit "
                "of at least %(share)s of your daily wage, for up to 104 weeks. The agency CAO adds to this.\n"
                "• Report sick as an agency worker: call the agency before 10:00 and tell your manager. "
                "Stay at home until 18:00 until the UWV has contacted you.\n"
                "Do not resign or sign an end to your contract while you are ill: then you usually get "
                "no benefit. Dismissed anyway? You have 2 months to contest it. "
                "Free first legal advice: Juridisch Loket, 0900-8020."
            ),
            values=_values(court_date=dt.date(2023, 3, 17), share=Percent(Decimal("70"))),
            figures=_values(share=_JURIDISCH_LOKET_SICK_PAY),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.juridischloket.nl/werk/ziekte-en-werk/ontslag-tijdens-ziekte",
                "https://recht.nl/nieuws/arbeidsrecht/641646fb2606ff219036/"
                "hoge-raad-uitzendovereenkomst-eindigt-niet-zonder-meer-bij-ziekte/",
                _JURIDISCH_LOKET_SICK_PAY,
                "https://www.arboflexbranche.nl/nl/thema/ziek-en-dan",
                "https://www.ontslagwinkel.nl/site/blog/na-18-maanden-ontslagen-wegens-ziekte/",
            ),
        ),
        Answer(
            key="work_rights/ww",
            title=N_("Unemployment (WW)"),
            text=N_(
                "WW is the unemployment benefit from the UWV. You can get it if:\n"
                "• you worked as an employee in at least 26 of the last 36 weeks\n"
                "• you lost at least 5 working hours a week, and the pay for them\n"
                "• it was not your own fault, you are available for work, and you stay in the Netherlands\n"
                "It lasts from 3 months to 2 years. You get %(first_share)s of your daily wage for the first "
                "2 months, then %(later_share)s, up to a maximum.\n"
                "Apply at uwv.nl with DigiD: not earlier than 1 week before your first day without work, "
                "and not later than 1 week after it. Also worked in another EU country? You may need a "
                "PD U1 form.\n"
                "On WW: apply for at least 4 jobs every 4 weeks and report them on werk.nl, and fill in "
                "your income form every month.\n"
                "Want to look for work in another EU country? With a PD U2 form you can keep your WW for up "
                "to 3 months. Ask the UWV at least 1 week before you leave."
            ),
            values=_values(first_share=Percent(Decimal("75")), later_share=Percent(Decimal("70"))),
            figures=_values(first_share=_UTWENTE_WW, later_share=_UTWENTE_WW),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.uwv.nl/en/individuals/unemployment-benefit/about",
                "https://www.uwv.nl/en/individuals/unemployment-benefit/applying-for",
                "https://www.uwv.nl/en/individuals/unemployment-benefit/when-receiving",
                "https://www.uwv.nl/en/individuals/forms/pdu2-form",
                _UTWENTE_WW,
            ),
        ),
        Answer(
            key="work_rights/holidays_hours",
            title=N_("Holidays and hours"),
            text=N_(
                "Holidays: each year you get at least 4 times your weekly hours as paid holiday. "
                "Example: 40 hours a week gives 160 holiday hours. This is also true for part-time and "
                "zero-hours contracts, and it builds up while you are ill.\n"
                "• You agree the dates with your employer. They may refuse only if it causes serious "
                "problems for the business.\n"
                "• Statutory holiday expires 6 months after the end of the year you built it up in. "
                "During the job it may not be paid out instead of time off.\n"
                "Working hours (age 18 and over, also for agency workers):\n"
                "• at most 12 hours a shift and 60 hours a week\n"
                "• on average at most 55 hours a week over 4 weeks, and 48 over 16 weeks\n"
                "• more than 5.5 hours of work: at least 30 minutes break; more than 10 hours: "
                "at least 45 minutes\n"
                "Too many hours? Report it to the Arbeidsinspectie (Labour Authority): 0800 51 51."
            ),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.government.nl/topics/working-hours/taking-holiday-hours",
                "https://business.gov.nl/regulation/holiday-entitlement/",
                "https://www.p-direkt.nl/informatie-rijkspersoneel/mijn-werk/huidig-dienstverband/"
                "arbeidsduur-en-werktijden/regels-voor-werktijden",
                "https://nllabourauthority.nl/topics/working-hours-and-rest-breaks",
            ),
        ),
        Answer(
            key="work_rights/accident",
            title=N_("Accident at work"),
            text=N_(
                "Hurt at work? Get medical help first. In an emergency, call 112.\n"
                "• A serious accident (a death, a hospital stay or lasting injury) must be reported to the "
                "Arbeidsinspectie (Labour Authority) at once. Agency worker? Then the company where you "
                "work must report it.\n"
                "• The place of the accident must stay as it is until the inspector comes.\n"
                "• Not reporting can cost the employer a fine of up to %(fine)s.\n"
                "• Report sick in the usual way. Keep photos, names of witnesses and your medical papers.\n"
                "• Your employer did not report it, or the work is still unsafe? Report it yourself: "
                "0800 51 51 (free). The online form is also in Polish and Romanian.\n"
                "The employer must keep a list of accidents and show it to workers."
            ),
            values=_values(fine=Money(Decimal("50000"))),
            figures=_values(fine=_BUSINESS_ACCIDENTS),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.nllabourauthority.nl/topics/report/report-a-work-related-accident",
                _BUSINESS_ACCIDENTS,
                "https://www.nlarbeidsinspectie.nl/publicaties/vragen-en-antwoorden/"
                "wanneer-moet-ik-als-werkgever-een-arbeidsongeval-melden",
            ),
        ),
        Answer(
            key="work_rights/ukraine",
            title=N_("Ukrainians: work"),
            text=N_(
                "For people from Ukraine with temporary protection:\n"
                "• You do not need a work permit (TWV). You may only work as an employee, with an employment "
                "contract, not as self-employed.\n"
                "• Your employer must report you to the UWV at least 2 working days before you start: what "
                "work, where, and how many hours a week. You may start 2 working days after that.\n"
                "• You have the same rights as Dutch workers: minimum wage, holidays and holiday pay, "
                "a safe workplace, breaks, and the CAO if there is one.\n"
                "• Ask to be paid into your bank account, with a payslip. Do not accept cash.\n"
                "• Underpaid or dangerous work? Call the Arbeidsinspectie (Labour Authority) on "
                "0800 51 51 (free).\n"
                "• Do you get living money (leefgeld) from the gemeente? Tell them when you start paid work. "
                "It stops on the first day of the next month."
            ),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.government.nl/topics/reception-of-refugees-from-ukraine/work-and-income",
                "https://kvk.nl/en/staff/offering-work-to-ukrainian-refugees",
                "https://www.denhaag.nl/en/ukraine/work-for-refugees-from-ukraine/",
            ),
        ),
    ),
)

# --- Child benefit and the tax return -------------------------------------------------------------

_BENEFITS_TAX = Topic(
    intent="benefits_tax",
    title=N_("Child benefit, tax"),
    question=N_("What do you want to know about child benefit and the tax return?"),
    answers=(
        Answer(
            key="benefits_tax/child_benefit",
            title=N_("Child benefit"),
            text=N_(
                "Do you work in the Netherlands? Then you may get Dutch kinderbijslag (child benefit) from "
                "the SVB for your children under 18, also if they live in another EU or EEA country or in "
                "Switzerland. It does not depend on your income.\n"
                "• For a child in the EU, the EEA or Switzerland you get the full amount.\n"
                "• Does the other parent work in the child's country? EU rules decide which country pays "
                "first. You never get the full amount from both. If the other country pays less, the "
                "Netherlands pays the difference.\n"
                "• Your child does not live with you here? Apply to the SVB yourself with a form "
                "(online with DigiD).\n"
                "• It is paid after each quarter: early January, April, July and October.\n"
                "From January to June 2026 it was, per child per quarter: %(age_0_5)s (age 0-5), "
                "%(age_6_11)s (age 6-11), %(age_12_17)s (age 12-17). We do not know the amounts from "
                "%(next_date)s yet: check the SVB.\n"
                "With a low income you may also get kindgebonden budget, an extra amount."
            ),
            values=_values(
                age_0_5=Money(Decimal("295.07")), age_6_11=Money(Decimal("358.30")),
                age_12_17=Money(Decimal("421.53")), next_date=dt.date(2026, 7, 1),
            ),
            figures=_values(age_0_5=_CHILD_BENEFIT_2026, age_6_11=_CHILD_BENEFIT_2026, age_12_17=_CHILD_BENEFIT_2026),
            valid_until=dt.date(2026, 6, 30),
            official=_SVB_CHILD_ABROAD,
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.netherlandsworldwide.nl/child-benefit-abroad/can-i-get",
                _SVB_CHILD_ABROAD,
                "https://netherlandsworldwide.nl/supplementary-child-benefit-abroad/how-much",
                _CHILD_BENEFIT_2026,
            ),
        ),
        Answer(
            key="benefits_tax/tax_return",
            title=N_("Tax refund"),
            text=N_(
                "Did you come to live in the Netherlands, or leave, in a year? Then for that year you file "
                "the M form (migration tax return). It often gives money back, because tax was taken from "
                "your wage as if you earned it all year.\n"
                "• File online in Mijn Belastingdienst with DigiD or an EU login, or on a paper M form.\n"
                "• Lived abroad all year, with income from the Netherlands? Then you file the non-resident "
                "return (C form). You can do it up to 5 years back.\n"
                "• You need the jaaropgave (annual income statement) from every employer, your BSN "
                "and your DigiD.\n"
                "• For tax year 2023 the deadline was 1 May. Check the deadline for your year at the "
                "Belastingdienst.\n"
                "Questions: BelastingTelefoon 0800-0543 (free, from the Netherlands). From abroad: "
                "+31 55 538 53 85."
            ),
            checked=FACTS_CHECKED_UPDATE,
            sources=(
                "https://www.belastingdienst.nl/wps/wcm/connect/en/individuals/content/"
                "partly-living-outside-the-netherlands-m-tax-return",
                "https://belastingdienst.nl/wps/wcm/connect/en/individuals/content/"
                "must-I-file-a-tax-return-as-a-non-resident-taxpayer",
                "https://leideninternationalcentre.nl/get-advice/blogs/how-to-file-the-m-form",
                "https://www.mariteam.nl/dutch-tax/",
            ),
        ),
    ),
)

TOPICS: dict[str, Topic] = {
    topic.intent: topic for topic in (_REGISTRATION, _HOUSING, _HEALTH, _WORK, _BENEFITS_TAX)
}
