"""Sources shown as short titles (the site's name), linked to the page.

An answer's text ends with ``Source: [Rijksoverheid](https://...)`` lines. The ``[title](url)`` link form is
rendered by each channel: the web chat and Telegram show the title as a link, WhatsApp (which has no link
markup) shows the title followed by the address. A host not listed here is shown as its bare host name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: host (without "www.") -> the name people know the site by
SITE_NAMES: dict[str, str] = {
    "070online.nl": "070online (news)",
    "abu.nl": "ABU",
    "arbeidsmigratieingoedebanen.nl": "Arbeidsmigratie in goede banen",
    "arboflexbranche.nl": "Arboflexbranche",
    "belastingdienst.nl": "Belastingdienst",
    "breda.nl": "Gemeente Breda",
    "business.gov.nl": "Business.gov.nl",
    "denhaag.nl": "Gemeente Den Haag",
    "digid.nl": "DigiD",
    "dronten.nl": "Gemeente Dronten",
    "expatcentreleiden.nl": "Expat Centre Leiden",
    "expatcentremaastrichtregion.nl": "Expat Centre Maastricht",
    "explore.law": "Zorgverzekeringswet (law text)",
    "fairwork.nu": "FairWork",
    "flexmarkt.nl": "Flexmarkt",
    "gemeente.nu": "Gemeente.nu",
    "government.nl": "Government.nl",
    "gpinfo.nl": "GP info",
    "grensinfo.nl": "GrensInfoPunt",
    "grootheddeaccountants.nl": "Groothedde accountants",
    "heerenveen.nl": "Gemeente Heerenveen",
    "huurcommissie.nl": "Huurcommissie",
    "ind.nl": "IND",
    "juridischloket.nl": "Het Juridisch Loket",
    "kvk.nl": "KVK",
    "leideninternationalcentre.nl": "Leiden International Centre",
    "lifeportwelcomecenter.nl": "Lifeport Welcome Center",
    "loket.nl": "Loket.nl",
    "mariteam.nl": "Mariteam (tax advisers)",
    "meierijstad.nieuws.nl": "Meierijstad Nieuws",
    "metronieuws.nl": "Metro (news)",
    "mijn.abu.nl": "ABU",
    "mkbservicedesk.nl": "MKB Servicedesk",
    "netherlandsworldwide.nl": "Netherlands Worldwide",
    "nfofruit.nl": "NFO (fruit growers)",
    "nlarbeidsinspectie.nl": "Nederlandse Arbeidsinspectie",
    "nllabourauthority.nl": "Netherlands Labour Authority",
    "normeringarbeid.nl": "Stichting Normering Arbeid",
    "normeringflexwonen.nl": "Stichting Normering Flexwonen",
    "nos.nl": "NOS (news)",
    "ondernemersklankbord.nl": "Ondernemersklankbord",
    "ontslagwinkel.nl": "Ontslagwinkel",
    "oogtv.nl": "OOG (news)",
    "overeenkomsten.nl": "Overeenkomsten.nl",
    "overtoeslagen.nl": "Dienst Toeslagen",
    "p-direkt.nl": "P-Direkt (government)",
    "politie.nl": "Politie",
    "powroty.gov.pl": "Powroty (gov.pl)",
    "praktijkgidsarbeidsrecht.nl": "Praktijkgids Arbeidsrecht",
    "recht.nl": "Recht.nl",
    "refugeehelp.nl": "RefugeeHelp",
    "rijksoverheid.nl": "Rijksoverheid",
    "113.nl": "113 Zelfmoordpreventie",
    "upday.com": "upday (news)",
    "nu.nl": "NU.nl (news)",
    "comensha.nl": "CoMensha",
    "eenvandaag.avrotros.nl": "EenVandaag (news)",
    "roosendaal.nl": "Gemeente Roosendaal",
    "rvig.nl": "RvIG",
    "samenvoordeklant.nl": "Samen voor de klant",
    "sdg.rijksoverheid.nl": "Rijksoverheid",
    "slimgeldbeheer.nl": "Slim Geldbeheer",
    "sncu.nl": "SNCU",
    "sociaalbestek.nl": "Sociaal Bestek",
    "svb.nl": "SVB",
    "tiel.nl": "Gemeente Tiel",
    "tilburg.nl": "Gemeente Tilburg",
    "tweedekamer.nl": "Tweede Kamer",
    "utwente.nl": "University of Twente",
    "uwv.nl": "UWV",
    "vdba-salarisverwerking.nl": "VDBA (AKF norms)",
    "volkshuisvestingnederland.nl": "Volkshuisvesting Nederland",
    "wegwijzermensenhandel.nl": "Wegwijzer Mensenhandel",
    "workinnl.nl": "Work in NL",
    "zilverenkruis.nl": "Zilveren Kruis",
    "zoetermeer.nl": "Gemeente Zoetermeer",
    "zuidplas.nl": "Gemeente Zuidplas",
}

#: ``[title](url)``: the link form the channels render
LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>]+)\)")


def host(url: str) -> str:
    name = (urlsplit(url).hostname or "").lower()
    return name.removeprefix("www.")


def site_name(url: str) -> str:
    """The short title of a source: the site's name, else its bare host."""
    return SITE_NAMES.get(host(url)) or host(url) or url


def source_link(url: str) -> str:
    return f"[{site_name(url)}]({url})"


def plain_links(text: str) -> str:
    """``[title](url)`` as ``title: url``, for channels without link markup (WhatsApp)."""
    return LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)


def grouped_source_links(urls: tuple[str, ...] | list[str]) -> list[str]:
    """One link text per site, in order: ``[Huurcommissie](u1) · [2](u2)`` when a site has several pages."""
    by_site: dict[str, list[str]] = {}
    for url in urls:
        by_site.setdefault(site_name(url), []).append(url)
    lines = []
    for name, pages in by_site.items():
        links = [f"[{name}]({pages[0]})", *(f"[{n}]({url})" for n, url in enumerate(pages[1:], start=2))]
        lines.append(" · ".join(links))
    return lines
