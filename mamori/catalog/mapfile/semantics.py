"""Meaning checks: how the parts of a structurally valid map relate (docs/privacy-map.md).

Every check reports at the most precise place it can and carries on: all problems are collected.
Messages are stable (tests and people's scripts compare them), so change them with care.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import laws
from .i18n import _
from .locations import Location, Path, Problem, SourceIndex
from .schema import PrivacyMap, Recipient, System, Table
from .values import suggestion

# Sections whose entries carry an `id`, and how a reference to them is named in messages.
_ID_SECTIONS = {
    "data_categories": "category",
    "data_subjects": "data subject",
    "sources": "source",
    "purposes": "purpose",
    "recipients": "recipient",
    "systems": "system",
    "retention": "retention rule",
    "cookie_categories": "cookie category",
    "collection_points": "collection point",
}


def check(privacy_map: PrivacyMap, index: SourceIndex) -> list[Problem]:
    return _Checker(privacy_map, index).run()


class _Checker:
    def __init__(self, privacy_map: PrivacyMap, index: SourceIndex) -> None:
        self.map = privacy_map
        self.index = index
        self.problems: list[Problem] = []
        self.ids: dict[str, set[str]] = {
            section: {item.id for item in getattr(privacy_map, section)} for section in _ID_SECTIONS
        }
        self.scope = privacy_map.jurisdiction_codes

    def run(self) -> list[Problem]:
        self.check_duplicates()
        self.check_organisation()
        self.check_commitments()
        self.check_sources()
        self.check_purposes()
        self.check_recipients()
        self.check_systems()
        self.check_retention()
        self.check_cookies()
        self.check_collection_points()
        return self.problems

    # ------------------------------------------------------------ helpers

    def report(self, location: Location, message: str) -> None:
        self.problems.append(Problem.at(location, message))

    def at(self, *path: str | int) -> Location:
        return self.index.value(tuple(path))

    def key_at(self, *path: str | int) -> Location:
        return self.index.key(tuple(path))

    def refs(self, base: Path, key: str, idents: Sequence[str], section: str, owner: str) -> None:
        """Report each id in a reference list that names no entry of `section`."""
        for position, ident in enumerate(idents):
            self.ref((*base, key, position), ident, section, owner)

    def ref(self, path: Path, ident: str | None, section: str, owner: str) -> None:
        if ident is None or ident in self.ids[section]:
            return
        message = _("{owner} refers to unknown {kind} '{ident}'").format(
            owner=owner, kind=_ID_SECTIONS[section], ident=ident
        )
        self.report(self.index.value(path), message + suggestion(ident, self.ids[section]))

    def not_in_scope(self, code: str) -> bool:
        return code not in self.scope

    def duplicates(self, entries: Iterable[tuple[Any, Path]], describe: str) -> None:
        first: dict[Any, Location] = {}
        for ident, path in entries:
            location = self.index.value(path)
            if ident in first:
                self.report(
                    location,
                    describe.format(ident=ident[0] if isinstance(ident, tuple) else ident)
                    + _(" (first defined at {first})").format(first=first[ident]),
                )
            else:
                first[ident] = location

    # ------------------------------------------------------------ duplicates

    def check_duplicates(self) -> None:
        duplicate_id = _("duplicate id '{ident}'")
        for section in _ID_SECTIONS:
            items = getattr(self.map, section)
            self.duplicates(((item.id, (section, i, "id")) for i, item in enumerate(items)), duplicate_id)
        organisation = self.map.organisation
        for key in ("contacts", "representatives", "supervisory_authorities"):
            items = getattr(organisation, key)
            self.duplicates(((item.id, ("organisation", key, i, "id")) for i, item in enumerate(items)), duplicate_id)
        self.duplicates(
            ((j.code, ("jurisdictions", i, "code")) for i, j in enumerate(self.map.jurisdictions)),
            _("duplicate jurisdiction '{ident}'"),
        )
        self.duplicates(
            (((c.name, c.domain), ("cookies", i, "name")) for i, c in enumerate(self.map.cookies)),
            _("duplicate cookie '{ident}'"),
        )
        for s, system in enumerate(self.map.systems):
            self.duplicates(
                ((t.name, ("systems", s, "tables", t_i, "name")) for t_i, t in enumerate(system.tables)),
                _("duplicate table '{ident}'"),
            )
            for t_i, table in enumerate(system.tables):
                self.duplicates(
                    (
                        (f.name, ("systems", s, "tables", t_i, "fields", f_i, "name"))
                        for f_i, f in enumerate(table.fields)
                    ),
                    _("duplicate field '{ident}'"),
                )

    # ------------------------------------------------------------ organisation and commitments

    def check_organisation(self) -> None:
        for i, authority in enumerate(self.map.organisation.supervisory_authorities):
            if self.not_in_scope(authority.jurisdiction):
                self.report(
                    self.at("organisation", "supervisory_authorities", i, "jurisdiction"),
                    _("supervisory authority '{ident}' is for jurisdiction '{code}', which is not in scope").format(
                        ident=authority.id, code=authority.jurisdiction
                    ),
                )

    def check_commitments(self) -> None:
        for i, clock in enumerate(self.map.commitments.request_clocks):
            base = ("commitments", "request_clocks", i)
            for j, code in enumerate(clock.jurisdictions):
                if self.not_in_scope(code):
                    self.report(
                        self.at(*base, "jurisdictions", j),
                        _("request clock for jurisdiction '{code}', which is not in scope").format(code=code)
                        + suggestion(code, set(self.scope)),
                    )
            if clock.extend_to and clock.respond and clock.extend_to.is_surely_shorter_than(clock.respond):
                self.report(
                    self.at(*base, "extend_to"),
                    _("extension to {extend} is shorter than the response time of {respond}").format(
                        extend=clock.extend_to, respond=clock.respond
                    ),
                )

    # ------------------------------------------------------------ data, purposes, recipients

    def check_sources(self) -> None:
        for i, source in enumerate(self.map.sources):
            owner = _("source '{ident}'").format(ident=source.id)
            self.refs(("sources", i), "categories", source.categories, "data_categories", owner)
            if source.kind == "third_party" and source.provider is None:
                self.report(
                    self.at("sources", i),
                    _("missing required key 'provider' (a third_party source needs it for receipt records)"),
                )

    def check_legal_bases(self, base: Path, bases: dict[str, str], owner: str) -> None:
        answering = {key for code in self.scope for key in laws.basis_lookup_order(code)}
        for code, basis in bases.items():
            if code not in answering:
                self.report(
                    self.index.key((*base, "legal_basis", code)),
                    _("{owner} has a legal basis for jurisdiction '{code}', which is not in scope").format(
                        owner=owner, code=code
                    ),
                )
                continue
            law = laws.law_of(code)
            known = laws.LEGAL_BASES[law]
            if basis not in known:
                self.report(
                    self.index.value((*base, "legal_basis", code)),
                    _("'{basis}' is not a legal basis under {law} ({code}): use one of {known}").format(
                        basis=basis, law=law, code=code, known=", ".join(known)
                    ),
                )

    def check_purposes(self) -> None:
        for i, purpose in enumerate(self.map.purposes):
            base = ("purposes", i)
            owner = _("purpose '{ident}'").format(ident=purpose.id)
            self.refs(base, "categories", purpose.categories, "data_categories", owner)
            self.refs(base, "subjects", purpose.subjects, "data_subjects", owner)
            for code in self.scope:
                if not any(key in purpose.legal_basis for key in laws.basis_lookup_order(code)):
                    self.report(
                        self.key_at(*base, "legal_basis"),
                        _("purpose '{ident}' has no legal basis for jurisdiction '{code}' (in scope)").format(
                            ident=purpose.id, code=code
                        ),
                    )
            self.check_legal_bases(base, purpose.legal_basis, owner)
        used = {ident for purpose in self.map.purposes for ident in purpose.categories}
        for i, category in enumerate(self.map.data_categories):
            if category.sensitive and category.id not in used:
                self.report(
                    self.at("data_categories", i, "id"),
                    _("sensitive category '{ident}' is used by no purpose").format(ident=category.id),
                )

    def check_recipients(self) -> None:
        home = self.map.organisation.country
        for i, recipient in enumerate(self.map.recipients):
            base = ("recipients", i)
            owner = _("recipient '{ident}'").format(ident=recipient.id)
            self.refs(base, "purposes", recipient.purposes, "purposes", owner)
            self.refs(base, "categories", recipient.categories, "data_categories", owner)
            abroad = recipient.country != home
            if abroad and recipient.transfer is None and recipient.provision_basis != "consent":
                if recipient.country == "unknown":
                    message = _(
                        "recipient '{ident}' transfers data to an unknown country "
                        "with neither a transfer safeguard nor consent"
                    )
                else:
                    message = _(
                        "recipient '{ident}' transfers data to {country} (abroad from {home}) "
                        "with neither a transfer safeguard nor consent"
                    )
                self.report(
                    self.at(*base, "country"),
                    message.format(ident=recipient.id, country=recipient.country, home=home),
                )
            self.check_joint_use(base, recipient)
            self.check_opt_out(base, recipient)

    def check_joint_use(self, base: Path, recipient: Recipient) -> None:
        if recipient.kind != "joint_user" and recipient.provision_basis != "joint_use":
            return
        announced = recipient.joint_use
        missing = [] if recipient.categories else ["categories"]
        missing += [
            key for key in ("scope", "purpose", "manager") if announced is None or getattr(announced, key) is None
        ]
        if missing:
            where = self.at(*base, "joint_use") if announced is not None else self.at(*base)
            self.report(
                where,
                _("joint user '{ident}' does not announce: {missing}").format(
                    ident=recipient.id, missing=", ".join(missing)
                ),
            )

    def check_opt_out(self, base: Path, recipient: Recipient) -> None:
        if recipient.provision_basis != "opt_out":
            return
        announced = recipient.opt_out_provision
        missing = [] if recipient.purposes else ["purposes"]
        missing += [
            key for key in ("items", "method", "how_to_stop") if announced is None or getattr(announced, key) is None
        ]
        if missing:
            where = self.at(*base, "opt_out_provision") if announced is not None else self.at(*base)
            self.report(
                where,
                _("opt-out provision to '{ident}' lacks announced items: {missing}").format(
                    ident=recipient.id, missing=", ".join(missing)
                ),
            )

    # ------------------------------------------------------------ systems

    def check_systems(self) -> None:
        for s, system in enumerate(self.map.systems):
            base: Path = ("systems", s)
            self.check_connector(base, system)
            tables = {table.name: table for table in system.tables}
            for t, table in enumerate(system.tables):
                self.check_table((*base, "tables", t), table, tables)
            self.check_restriction(base, system, tables)
            if system.connector == "sql":
                for kind, targets in system.identities.items():
                    path: Path = (*base, "identities", kind)
                    listed = (
                        [(path, targets)]
                        if isinstance(targets, str)
                        else [((*path, position), target) for position, target in enumerate(targets)]
                    )
                    for where, target in listed:
                        self.check_column_ref(
                            where, target, tables, _("identity '{kind}'").format(kind=kind), _("refers to")
                        )
            if system.residence is not None:
                for key in ("country", "region", "language"):
                    target = getattr(system.residence, key)
                    if target is not None:
                        self.check_column_ref(
                            (*base, "residence", key),
                            target,
                            tables,
                            _("residence '{key}'").format(key=key),
                            _("refers to"),
                        )

    def check_restriction(self, base: Path, system: System, tables: dict[str, Table]) -> None:
        restriction = system.restriction
        if restriction is None:
            return
        path: Path = (*base, "restriction")
        if system.connector != "sql":
            self.report(self.key_at(*path), _("only sql systems record a restriction in their own tables"))
        elif (restriction.flag is None) == (restriction.keys is None):
            self.report(self.at(*path), _("restriction needs exactly one of 'flag' (table.column) or 'keys'"))
        elif restriction.flag is not None:
            table_name = restriction.flag.split(".", 1)[0]
            table = tables.get(table_name)
            if table is None:
                self.report(
                    self.at(*path, "flag"),
                    _("restriction flag refers to unknown table '{table}'").format(table=table_name)
                    + suggestion(table_name, set(tables)),
                )
            elif table.owner is None or "." in table.owner:
                self.report(
                    self.at(*path, "flag"),
                    _("restriction flag must be on a table that says whose rows are whose (owner: a column)"),
                )

    def check_connector(self, base: Path, system: System) -> None:
        needs = {"sql": "connection_env", "webhook": "url_env", "manual": "instructions"}[system.connector]
        if getattr(system, needs) is None:
            self.report(
                self.at(*base),
                _("missing required key '{key}' (a {connector} system needs it)").format(
                    key=needs, connector=system.connector
                ),
            )
        if system.connector != "sql" and system.tables:
            self.report(
                self.key_at(*base, "tables"),
                _("a {connector} system has no tables: only sql systems list tables").format(
                    connector=system.connector
                ),
            )

    def check_table(self, base: Path, table: Table, tables: dict[str, Table]) -> None:
        owner = _("table '{name}'").format(name=table.name)
        self.ref((*base, "retention"), table.retention, "retention", owner)
        for f, field in enumerate(table.fields):
            if field.category not in self.ids["data_categories"]:
                self.report(
                    self.at(*base, "fields", f, "category"),
                    _("field '{field}' of table '{table}' maps to unknown category '{category}'").format(
                        field=field.name, table=table.name, category=field.category
                    )
                    + suggestion(field.category, self.ids["data_categories"]),
                )
        for k, link in enumerate(table.links):
            target = tables.get(link.table)
            if link.shared != "keep" and target is not None and target.owner is not None:
                self.report(
                    self.at(*base, "links", k, "shared"),
                    _("'shared' applies to links to rows without an owner; table '{table}' has one").format(
                        table=link.table
                    ),
                )
            self.check_column_ref(
                (*base, "links", k, "references"),
                link.references,
                tables,
                _("link from '{table}.{column}'").format(table=table.name, column=link.column),
                _("references"),
            )
        if table.owner and "." in table.owner:
            self.check_column_ref(
                (*base, "owner"),
                table.owner,
                tables,
                _("owner of table '{name}'").format(name=table.name),
                _("refers to"),
            )

    def check_column_ref(self, path: Path, target: str, tables: dict[str, Table], what: str, verb: str) -> None:
        if "." not in target:
            self.report(
                self.at(*path),
                _("{what} must name a column as table.column; got '{target}'").format(what=what, target=target),
            )
            return
        table_name, column = target.split(".", 1)
        table = tables.get(table_name)
        if table is None:
            self.report(
                self.at(*path),
                _("{what} {verb} unknown table '{table}'").format(what=what, verb=verb, table=table_name)
                + suggestion(table_name, set(tables)),
            )
        elif column not in table.column_names():
            self.report(
                self.at(*path),
                _("{what} {verb} unknown column '{target}'").format(what=what, verb=verb, target=target)
                + suggestion(target, {f"{table_name}.{name}" for name in table.column_names()}),
            )

    # ------------------------------------------------------------ retention, cookies, collection

    def check_retention(self) -> None:
        for i, rule in enumerate(self.map.retention):
            owner = _("retention rule '{ident}'").format(ident=rule.id)
            self.refs(("retention", i), "categories", rule.categories, "data_categories", owner)
            if rule.period is None:
                self.report(self.at("retention", i), _("{owner} has no period").format(owner=owner))
            if rule.trigger is None:
                self.report(self.at("retention", i), _("{owner} has no trigger").format(owner=owner))
            self.check_retention_targets(i, rule, owner)
        self.check_periods_against_holds()

    def check_retention_targets(self, i: int, rule: Any, owner: str) -> None:
        """The tables a rule disposes of: a SQL system's declared table, a date column, declared
        columns in `where`, and a hold counting from a column of a table the rule disposes of."""
        base = ("retention", i, "applies_to")
        tables_of_rule: dict[str, Table] = {}
        for t, target in enumerate(rule.applies_to):
            system = next((system for system in self.map.systems if system.id == target.system), None)
            if system is None:
                self.ref((*base, t, "system"), target.system, "systems", owner)
                continue
            if system.connector != "sql":
                self.report(
                    self.at(*base, t, "system"),
                    _("{owner}: system '{system}' is not a sql system; rules dispose of sql tables only").format(
                        owner=owner, system=system.id
                    ),
                )
                continue
            table = system.table(target.table)
            if table is None:
                self.report(
                    self.at(*base, t, "table"),
                    _("{owner} refers to unknown table '{table}' of system '{system}'").format(
                        owner=owner, table=target.table, system=system.id
                    )
                    + suggestion(target.table, {table.name for table in system.tables}),
                )
                continue
            tables_of_rule[table.name] = table
            if target.date is None:
                self.report(
                    self.at(*base, t),
                    _("{owner}: trigger on table '{table}' has no date column ('date')").format(
                        owner=owner, table=table.name
                    ),
                )
                continue
            dated = table
            if "." in target.date:  # the event is written on a row this one links to (customers.closed_at)
                parent_name, column = target.date.split(".", 1)
                parent = system.table(parent_name)
                if parent is None or not any(link.table == parent_name for link in table.links):
                    self.report(
                        self.at(*base, t, "date"),
                        _("{owner}: table '{table}' has no link to table '{parent}'").format(
                            owner=owner, table=table.name, parent=parent_name
                        ),
                    )
                    continue
                dated = parent
            else:
                column = target.date
            self.check_declared_column((*base, t, "date"), dated, column, owner)
            for column in target.where:
                self.check_declared_column((*base, t, "where", column), dated, column, owner)
        hold = rule.legal_hold
        if hold is not None:
            for table_name, column in hold.counts_from.items():
                path = ("retention", i, "legal_hold", "counts_from", table_name)
                table = tables_of_rule.get(table_name)
                if table is None:
                    self.report(
                        self.at(*path),
                        _("{owner}: the legal hold counts from table '{table}', not one the rule disposes of").format(
                            owner=owner, table=table_name
                        ),
                    )
                else:
                    self.check_declared_column(path, table, column, owner)

    def check_declared_column(self, path: Path, table: Table, column: str, owner: str) -> None:
        # Like links, a rule names only columns the map declares (a field of the table): a typo
        # must not make a rule select nothing, or everything.
        if column not in table.column_names():
            self.report(
                self.at(*path),
                _("{owner} names unknown column '{column}' of table '{table}' (declare it as a field)").format(
                    owner=owner, column=column, table=table.name
                )
                + suggestion(column, table.column_names()),
            )

    def check_periods_against_holds(self) -> None:
        """A rule disposing of a table sooner than another rule's legal hold on the same table
        would destroy what the law says to keep."""
        held: dict[tuple[str, str], list[Any]] = {}
        for rule in self.map.retention:
            if rule.legal_hold is None:
                continue
            for target in rule.applies_to:
                held.setdefault((target.system, target.table), []).append(rule)
        for system in self.map.systems:
            for table in system.tables:
                owner_rule = self.map.find("retention", table.retention) if table.retention else None
                if owner_rule is not None and owner_rule.legal_hold is not None:
                    held.setdefault((system.id, table.name), []).append(owner_rule)
        for i, rule in enumerate(self.map.retention):
            if rule.period is None:
                continue
            # A rule with a hold of its own keeps its rows at least that long.
            kept = rule.legal_hold.period if rule.legal_hold else rule.period
            for t, target in enumerate(rule.applies_to):
                holders = {holder.id: holder for holder in held.get((target.system, target.table), [])}
                for holder in holders.values():
                    if holder.id == rule.id or holder.legal_hold is None:
                        continue
                    if kept.is_surely_shorter_than(holder.legal_hold.period):
                        self.report(
                            self.at("retention", i, "applies_to", t),
                            _(
                                "retention rule '{ident}' disposes of '{table}' after {period}, shorter than the "
                                "legal hold of rule '{other}' on the same data ({hold})"
                            ).format(
                                ident=rule.id,
                                table=target.table,
                                period=rule.period,
                                other=holder.id,
                                hold=holder.legal_hold.period,
                            ),
                        )

    def check_cookies(self) -> None:
        for i, category in enumerate(self.map.cookie_categories):
            owner = _("cookie category '{ident}'").format(ident=category.id)
            self.check_legal_bases(("cookie_categories", i), category.legal_basis, owner)
        for i, cookie in enumerate(self.map.cookies):
            owner = _("cookie '{name}'").format(name=cookie.name)
            if cookie.category not in self.ids["cookie_categories"]:
                self.report(
                    self.at("cookies", i, "category"),
                    _("cookie '{name}' is in undeclared category '{category}'").format(
                        name=cookie.name, category=cookie.category
                    )
                    + suggestion(cookie.category, self.ids["cookie_categories"]),
                )
            self.ref(("cookies", i, "recipient"), cookie.recipient, "recipients", owner)
            website = self.map.commitments.website
            if cookie.party == "third" and website is not None and not website.third_party_cookies:
                self.report(
                    self.at("cookies", i, "party"),
                    _("cookie '{name}' is a third-party cookie, but commitments.website promises none").format(
                        name=cookie.name
                    ),
                )

    def check_collection_points(self) -> None:
        for i, point in enumerate(self.map.collection_points):
            base = ("collection_points", i)
            owner = _("collection point '{ident}'").format(ident=point.id)
            self.refs(base, "categories", point.categories, "data_categories", owner)
            self.refs(base, "purposes", point.purposes, "purposes", owner)
            self.refs(base, "recipients", point.recipients, "recipients", owner)
            self.ref((*base, "retention"), point.retention, "retention", owner)
