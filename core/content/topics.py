"""The four information topics and their sub-question answers (keys: docs/subtopics.md).

Every fact comes from ../shared/facts/netherlands-facts.md; each answer names its sources.
Money, percentages and full calendar dates are placeholders filled from ``values``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

from core.content.model import Answer, Topic
from core.formatting import Money, Percent
from core.i18n import N_


def _values(**values: object) -> MappingProxyType:
    return MappingProxyType(values)


#: Wet goed verhuurderschap (Good Landlordship Act) in force; separate rental contracts from then on.
_LANDLORD_ACT_DATE = dt.date(2023, 7, 1)

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
                "• A valid passport or EU ID card. A driving licence is not accepted.\n"
                "• Proof of address: a rental contract signed by you and the landlord. "
                "Do you live in someone else's home? Bring a signed permission from the main occupant "
                "(hoofdbewoner) and a copy of their ID.\n"
                "• If you have them: birth certificate, marriage or divorce certificate. "
                "Some may need an official (sworn) translation.\n"
                "• For children: an official document that names the parent, like a birth certificate.\n"
                "Rules can differ per gemeente (municipality), so ask them which documents they want."
            ),
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
                "Living abroad and registered in the RNI? You can still get one. You need:\n"
                "• a valid EU passport or ID card (not a driving licence)\n"
                "• your BSN and your RNI registration\n"
                "• a mobile phone that gets SMS, and an e-mail address\n"
                "After you apply, you get a counter code (baliecode). You get the activation code "
                "by video call with Nederland Wereldwijd, or at a DigiD desk within 30 days.\n"
                "EU citizens can also log in with a European login from their own country (eIDAS)."
            ),
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
            sources=(
                "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
                "https://www.tiel.nl/emigratie-doorgeven",
                "https://www.dronten.nl/direct-regelen/leefomgeving/verhuizen/"
                "emigratie-een-of-meer-personen-blijven-achter-op-het-adres/326/",
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
            sources=(
                "https://www.heerenveen.nl/bouwen-en-vestigen/meldpunt-verhuur/",
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/wgv-voor-arbeidsmigranten",
            ),
        ),
        Answer(
            key="housing_rights/job_loss",
            title=N_("Lost job, lost bed?"),
            text=N_(
                "A rental contract signed after %(since_date)s does not end automatically "
                "when your job ends.\n"
                "Agency worker in agency housing? When your contract ends, you must leave within "
                "4 weeks, and you pay the same rent in that time. Are you ill or have no money? "
                "The agency must take this into account and give you a fair time to leave.\n"
                "Nowhere to sleep? Help is limited. Organisations that help: Barka, "
                "De Regenboog (Amsterdam) and Leger des Heils (Salvation Army). "
                "Some cities, like Eindhoven and Venlo, have offered a short stay."
            ),
            values=_values(since_date=_LANDLORD_ACT_DATE),
            sources=(
                "https://www.sncu.nl/vraag-en-antwoord/wanneer-dient-een-uitzendkracht-een-gefaciliteerde-huisvesting-te-verlaten/",
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/wgv-voor-arbeidsmigranten",
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
            sources=(
                "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/"
                "gemeentelijk-meldpunt-goed-verhuurderschap",
                "https://www.zuidplas.nl/melding-ongewenst-verhuurgedrag",
                "https://www.roosendaal.nl/meldpunt-ongewenst-verhuurgedrag",
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
                "Is your employer outside the Netherlands (posted worker, with an A1 certificate)? "
                "Then your home insurance is normally enough. An EHIC card alone is not enough "
                "if you work for a Dutch employer or Dutch agency."
            ),
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
            sources=("https://www.zilverenkruis.nl/consumenten/zorgverzekering/veranderingen/prinsjesdag",),
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
            sources=(
                "https://www.grensinfo.nl/nl/dewenl/zorg/zorgtoeslag",
                "https://www.belastingdienst.nl/wps/wcm/connect/bldcontentnl/belastingdienst/prive/toeslagen/"
                "zorgtoeslag/voorwaarden/zorgtoeslag-als-u-in-nederland-woont-en-in-het-buitenland-werkt",
                "https://www.metronieuws.nl/geld-carriere/toeslagen/2025/11/dit-inkomen-2026-maximale-zorgtoeslag-br/",
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
            sources=(
                "https://expatcentremaastrichtregion.nl/expats/formalities/general-practitioner",
                "https://www.expatcentreleiden.nl/en/essentials/essential-information/healthcare/"
                "general-practitioner-huisarts",
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
                "From %(from_date)s to %(to_date)s, the minimum wage for age 21 and over is "
                "%(wage)s gross per hour.\n"
                "It changes every 1 January and 1 July, so check the official page for the rate "
                "that applies today.\n"
                "Under 21 the minimum is lower. In the same period: %(wage_20)s at age 20, "
                "%(wage_19)s at 19, %(wage_18)s at 18.\n"
                "A CAO (collective labour agreement) or your contract can give more. "
                "Then you get the higher amount."
            ),
            values=_values(
                from_date=dt.date(2026, 1, 1),
                to_date=dt.date(2026, 6, 30),
                wage=Money(Decimal("14.71")),
                wage_20=Money(Decimal("11.77")),
                wage_19=Money(Decimal("8.83")),
                wage_18=Money(Decimal("7.36")),
            ),
            sources=(
                "https://www.grootheddeaccountants.nl/wettelijk-minimumloon-per-1-januari-2026",
                "https://www.mkbservicedesk.nl/nieuws/ondernemersnieuws/minimumloon-2026-dit-zijn-de-nieuwe-bedragen-per-1-januari",
                "https://www.metronieuws.nl/geld-carriere/arbeidsmarkt/2025/04/minimumloon-per-1-juli-geld-erbij/",
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
            sources=(
                "https://www.juridischloket.nl/werk/ziekte-en-werk/loondoorbetaling-bij-ziekte/",
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
            sources=(
                "https://www.nllabourauthority.nl/topics/investigating-complaints",
                "https://www.nllabourauthority.nl/about-netherlands-labour-authority/tasks",
                "https://www.nllabourauthority.nl/topics/labour-market-fraud-and-malpractices",
            ),
        ),
    ),
)

TOPICS: dict[str, Topic] = {
    topic.intent: topic for topic in (_REGISTRATION, _HOUSING, _HEALTH, _WORK)
}
