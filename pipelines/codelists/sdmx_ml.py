"""SDMX-ML structure message (2.1 or 3.0) bytes → code lists (every language of every code) and a DSD's
dimension → code list references."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# 3.0 names a code list by URN text; 2.1 by a <Ref agencyID= id= version=/> child.
_URN = re.compile(r"Codelist=(?P<agency>[^:]+):(?P<id>[^(]+)\((?P<version>[^)]+)\)")


class StructureError(ValueError):
    """Bytes that are not an SDMX-ML structure message we can read; the message names the source."""


@dataclass(frozen=True)
class CodelistRef:
    agency: str
    id: str
    version: str

    def __str__(self) -> str:  # the SDMX short form, as the URNs write it: ESTAT:SIZE_EMP(7.0)
        return f"{self.agency}:{self.id}({self.version})"


@dataclass(frozen=True)
class Name:
    codelist: CodelistRef
    code: str | None  # None: the code list's own name (what the dimension is called)
    lang: str
    text: str


def _local(tag: str) -> str:
    # Namespace-free element names: the 2.1 and 3.0 schemas use the same local names for what we read.
    return tag.rsplit("}", 1)[-1]


def _root(data: bytes, source: str) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise StructureError(f"{source}: not XML ({exc})") from exc
    if _local(root.tag) != "Structure":
        raise StructureError(f"{source}: root element {_local(root.tag)!r}, expected an SDMX 'Structure'")
    return root


def _names(elem: ET.Element) -> list[tuple[str, str]]:
    """(lang, text) of an element's own Name children, never those of nested codes or annotations."""
    return [
        (child.get(XML_LANG, ""), " ".join((child.text or "").split()))
        for child in elem
        if _local(child.tag) == "Name"
    ]


def codelists(data: bytes, source: str = "<bytes>") -> list[Name]:
    """Every Name of every code (and of each code list itself) of the message, in every language it has."""
    root = _root(data, source)
    out: list[Name] = []
    for cl in root.iter():
        if _local(cl.tag) != "Codelist":
            continue
        ref = CodelistRef(cl.get("agencyID", ""), cl.get("id", ""), cl.get("version", ""))
        if not ref.id:
            raise StructureError(f"{source}: a Codelist without an id")
        out += [Name(ref, None, lang, text) for lang, text in _names(cl) if text]
        for code in cl:
            if _local(code.tag) != "Code":
                continue
            cid = code.get("id")
            if not cid:
                raise StructureError(f"{source}: code list {ref} has a Code without an id")
            names = [(lang, text) for lang, text in _names(code) if text]
            if not names:
                raise StructureError(f"{source}: code {ref}.{cid} has no Name")
            out += [Name(ref, cid, lang, text) for lang, text in names]
    if not out:
        raise StructureError(f"{source}: no Codelist with codes in this structure message")
    return out


def dimensions(data: bytes, source: str = "<bytes>") -> dict[str, CodelistRef]:
    """Dimension id → the code list its DSD names (time and uncoded dimensions are left out)."""
    root = _root(data, source)
    out: dict[str, CodelistRef] = {}
    for dim in root.iter():
        if _local(dim.tag) != "Dimension":
            continue
        enum = next((e for e in dim.iter() if _local(e.tag) == "Enumeration"), None)
        if enum is None:
            continue
        ref = next((r for r in enum if _local(r.tag) == "Ref"), None)
        if ref is not None:
            out[dim.get("id", "")] = CodelistRef(
                ref.get("agencyID", ""), ref.get("id", ""), ref.get("version", "")
            )
            continue
        m = _URN.search(enum.text or "")
        if not m:
            raise StructureError(f"{source}: dimension {dim.get('id')!r} names no code list it can read")
        out[dim.get("id", "")] = CodelistRef(m["agency"], m["id"], m["version"])
    if not out:
        raise StructureError(f"{source}: no coded Dimension in this structure message")
    return out
