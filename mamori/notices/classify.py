# ruff: noqa: RUF001  (Japanese notice text uses full-width punctuation on purpose)
"""Material or editorial: what a change of the privacy map means for the people it concerns.

The rules live here and nowhere else. A change is *material* when people would reasonably want to
be told before it applies, or asked again: their data goes somewhere new or is used for something
new, on a different footing, for longer, or with weaker rights. Everything else (wording, contact
details, internal systems, less processing) is *editorial*. When in doubt a rule says material:
telling people once too often is cheaper than failing to tell them.

`classify(old, new)` compares two normalised map documents (`PrivacyMap.to_document()`); with no
old document (the first publication) nothing is material.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from mamori.catalog.diff import FieldChange, ItemChange, diff_documents
from mamori.catalog.mapfile.values import Duration
from mamori.notices.labels import Bilingual, pick

# Reason code -> (en, ja). Material reasons first.
MATERIAL_REASONS: dict[str, Bilingual] = {
    "new_purpose": ("a new purpose of use", "新たな利用目的"),
    "purpose_more_data": ("a purpose uses more kinds of data", "利用目的で扱う情報の追加"),
    "changed_legal_basis": ("a changed legal basis", "法的根拠の変更"),
    "consent_no_longer_asked": ("consent is no longer asked for a purpose", "同意を求めない取扱いへの変更"),
    "no_longer_statistics_only": ("data is no longer used only as statistics", "統計目的に限らない利用への変更"),
    "new_category": ("a new category of personal information", "新たな個人情報の項目"),
    "more_sensitive": ("a category becomes sensitive", "機微情報としての取扱い"),
    "new_source": ("a new source of personal information", "新たな取得元"),
    "source_more_data": ("more data from a source", "取得元から取得する情報の追加"),
    "new_recipient": ("a new recipient or third party", "新たな提供先・委託先"),
    "recipient_more_data": ("a recipient receives more data", "提供する情報の追加"),
    "recipient_new_purpose": ("a recipient uses data for a new purpose", "提供先の利用目的の追加"),
    "recipient_kind_changed": ("a recipient's role changed", "提供先の区分の変更"),
    "provision_basis_changed": ("a changed basis for provision", "提供の根拠の変更"),
    "own_marketing": ("a third party may use data for its own marketing", "第三者による自らのマーケティング利用"),
    "new_transfer_country": ("a transfer to a new country", "新たな国への移転"),
    "changed_safeguard": ("a changed transfer safeguard", "移転の保護措置の変更"),
    "new_non_essential_cookie": ("a new non-essential cookie", "必須でない新たなクッキー"),
    "cookie_non_essential": ("a cookie becomes non-essential", "クッキーの必須でないカテゴリへの変更"),
    "cookie_third_party": ("a cookie is now placed by a third party", "サードパーティクッキーへの変更"),
    "longer_cookie": ("a cookie lasts longer", "クッキーの有効期間の延長"),
    "longer_retention": ("data is kept longer", "保存期間の延長"),
    "retention_more_data": ("a retention rule covers more data", "保存対象の情報の追加"),
    "retention_trigger_changed": ("a retention period starts at a different event", "保存期間の起算点の変更"),
    "slower_answer": ("requests are answered later", "回答期限の延長"),
    "fewer_rights": ("a right or a commitment is narrowed or removed", "権利・約束の縮小または削除"),
    "weaker_signal": ("a browser signal is no longer honoured", "ブラウザシグナルへの対応の終了"),
    "younger_users": ("younger people may use the service", "対象年齢の引き下げ"),
    "sale_or_sharing": ("personal information is sold, shared or disclosed", "個人情報の販売・共有・開示"),
    "less_notice": ("less notice of future changes", "変更通知の縮小"),
    "jurisdiction_removed": ("a jurisdiction is no longer covered", "対象地域の除外"),
    "controller_changed": ("the controller changed", "事業者の変更"),
    "collection_more": ("a form collects more or for more purposes", "取得ポイントでの取得・利用の拡大"),
    "collection_required": ("providing data becomes required", "情報提供の必須化"),
}
EDITORIAL_REASONS: dict[str, Bilingual] = {
    "less_processing": ("less processing or fewer recipients", "取扱いの縮小"),
    "wording": ("wording or details", "表現・記載の修正"),
    "contacts": ("contact details", "連絡先"),
    "internal": ("internal systems, not part of the notices", "社内システム（通知対象外）"),
    "shorter_or_equal": ("shorter periods or faster answers", "期間の短縮・回答の迅速化"),
    "more_rights": ("more rights or commitments", "権利・約束の拡充"),
    "essential_cookie": ("a strictly necessary cookie", "必須クッキー"),
    "dates": ("notice dates", "通知の日付"),
}


def reason_text(code: str, language: str) -> str:
    pair = MATERIAL_REASONS.get(code) or EDITORIAL_REASONS.get(code)
    return pick(pair, language) if pair else code


@dataclass(frozen=True)
class ClassifiedChange:
    section: str
    key: str  # item id, or the changed field's path for mapping sections
    kind: str  # added | removed | changed
    material: bool
    reasons: tuple[str, ...]
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classification:
    changes: tuple[ClassifiedChange, ...] = field(default_factory=tuple)
    first: bool = False  # the first publication: nothing to compare with

    @property
    def material(self) -> bool:
        return any(change.material for change in self.changes)

    @property
    def material_reasons(self) -> list[str]:
        return list(dict.fromkeys(r for c in self.changes if c.material for r in c.reasons))

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "material": self.material,
            "reasons": self.material_reasons,
            "changes": [
                asdict(change) | {"reasons": list(change.reasons), "fields": list(change.fields)}
                for change in self.changes
            ],
        }


def classify(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> Classification:
    if old is None:
        return Classification(first=True)
    changes: list[ClassifiedChange] = []
    for section in diff_documents(old, new).sections:
        rule = _ITEM_RULES.get(section.section)
        for item in section.items:
            reasons = _item_reasons(section.section, item, rule, new)
            changes.append(_classified(section.section, item.key, item.kind, reasons, [f.path for f in item.fields]))
        for change in section.fields:
            reasons = _field_reasons(section.section, change)
            changes.append(_classified(section.section, change.path, change.kind, reasons, [change.path]))
    return Classification(changes=tuple(changes))


def _classified(section: str, key: str, kind: str, reasons: list[str], fields: list[str]) -> ClassifiedChange:
    material = [r for r in reasons if r in MATERIAL_REASONS]
    chosen = material or list(dict.fromkeys(reasons)) or ["wording"]
    return ClassifiedChange(section, key, kind, bool(material), tuple(dict.fromkeys(chosen)), tuple(fields))


# ---------------------------------------------------------------- helpers


def _duration(value: Any) -> Duration | None:
    try:
        return Duration.parse(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _longer(old: Any, new: Any) -> bool:
    """True unless the new period is surely not longer (same value, or surely shorter)."""
    before, after = _duration(old), _duration(new)
    if before is None or after is None:
        return old is None and new is not None
    if before == after:
        return False
    if after.is_session:
        return False
    if before.is_session:
        return True
    return not after.is_surely_shorter_than(before)


def _grew(old: Any, new: Any) -> bool:
    return bool(set(new or []) - set(old or []))


def _get(item: Mapping[str, Any] | None, path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


ItemRule = Callable[[ItemChange, Mapping[str, Any]], list[str]]


def _item_reasons(section: str, item: ItemChange, rule: ItemRule | None, new_doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "removed":
        return ["jurisdiction_removed"] if section == "jurisdictions" else ["less_processing"]
    if section == "systems":
        return ["internal"]
    if rule is None:
        return ["wording"]
    return rule(item, new_doc) or ["wording"]


# ---------------------------------------------------------------- rules per list section


def _purposes(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["new_purpose"]
    old, new = item.old, item.new
    reasons = []
    if _grew(old.get("categories"), new.get("categories")) or _grew(old.get("subjects"), new.get("subjects")):
        reasons.append("purpose_more_data")
    if old.get("legal_basis") != new.get("legal_basis"):
        reasons.append("changed_legal_basis")
    if old.get("consent_required") and not new.get("consent_required"):
        reasons.append("consent_no_longer_asked")
    if old.get("statistics_only") and not new.get("statistics_only"):
        reasons.append("no_longer_statistics_only")
    return reasons


def _categories(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["new_category"]
    return ["more_sensitive"] if _grew(item.old.get("sensitive"), item.new.get("sensitive")) else []


def _sources(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["new_source"]
    reasons = ["source_more_data"] if _grew(item.old.get("categories"), item.new.get("categories")) else []
    if item.old.get("kind") != item.new.get("kind"):
        reasons.append("new_source")
    return reasons


def _recipients(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        reasons = ["new_recipient"]
        if item.new.get("for_own_marketing"):
            reasons.append("own_marketing")
        return reasons
    old, new = item.old, item.new
    reasons = []
    if old.get("country") != new.get("country"):
        reasons.append("new_transfer_country")
    if _grew(old.get("categories"), new.get("categories")):
        reasons.append("recipient_more_data")
    if _grew(old.get("purposes"), new.get("purposes")):
        reasons.append("recipient_new_purpose")
    if old.get("kind") != new.get("kind"):
        reasons.append("recipient_kind_changed")
    if old.get("provision_basis") != new.get("provision_basis"):
        reasons.append("provision_basis_changed")
    if not old.get("for_own_marketing") and new.get("for_own_marketing"):
        reasons.append("own_marketing")
    if _get(old, "transfer.safeguard") != _get(new, "transfer.safeguard"):
        reasons.append("changed_safeguard")
    if old.get("joint_use") != new.get("joint_use") or old.get("opt_out_provision") != new.get("opt_out_provision"):
        reasons.append("provision_basis_changed")
    return reasons


def _cookie_is_essential(cookie: Mapping[str, Any]) -> bool:
    return cookie.get("category") == "essential"


def _cookies(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["essential_cookie"] if _cookie_is_essential(item.new) else ["new_non_essential_cookie"]
    old, new = item.old, item.new
    reasons = []
    if old.get("category") != new.get("category"):
        reasons.append("cookie_non_essential" if not _cookie_is_essential(new) else "less_processing")
    if old.get("party") == "first" and new.get("party") == "third":
        reasons.append("cookie_third_party")
    if old.get("recipient") != new.get("recipient") and new.get("recipient"):
        reasons.append("new_recipient")
    if _longer(old.get("duration"), new.get("duration")):
        reasons.append("longer_cookie")
    return reasons


def _cookie_categories(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return [] if item.key == "essential" else ["new_non_essential_cookie"]
    reasons = []
    if item.old.get("legal_basis") != item.new.get("legal_basis"):
        reasons.append("changed_legal_basis")
    if _grew(item.old.get("consent_mode"), item.new.get("consent_mode")):
        reasons.append("cookie_non_essential")
    return reasons


def _retention(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["shorter_or_equal"]
    old, new = item.old, item.new
    reasons = []
    if _longer(old.get("period"), new.get("period")):
        reasons.append("longer_retention")
    if _longer(_get(old, "legal_hold.period"), _get(new, "legal_hold.period")):
        reasons.append("longer_retention")
    if _grew(old.get("categories"), new.get("categories")):
        reasons.append("retention_more_data")
    if old.get("trigger") != new.get("trigger"):
        reasons.append("retention_trigger_changed")
    return reasons or ["shorter_or_equal"]


def _collection_points(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    if item.kind == "added":
        return ["wording"]  # its categories and purposes are judged in their own sections
    old, new = item.old, item.new
    reasons = []
    if any(_grew(old.get(k), new.get(k)) for k in ("categories", "purposes", "recipients")):
        reasons.append("collection_more")
    if old.get("voluntary", True) and not new.get("voluntary", True):
        reasons.append("collection_required")
    return reasons


def _jurisdictions(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    return ["more_rights"]


def _data_subjects(item: ItemChange, _doc: Mapping[str, Any]) -> list[str]:
    return ["new_category"] if item.kind == "added" else []


_ITEM_RULES: dict[str, ItemRule] = {
    "purposes": _purposes,
    "data_categories": _categories,
    "data_subjects": _data_subjects,
    "sources": _sources,
    "recipients": _recipients,
    "cookies": _cookies,
    "cookie_categories": _cookie_categories,
    "retention": _retention,
    "collection_points": _collection_points,
    "jurisdictions": _jurisdictions,
}


# ---------------------------------------------------------------- mapping sections, field by field

_CLOCK_FIELDS = ("acknowledge", "respond", "extend_to", "verification_timeout")


def _field_reasons(section: str, change: FieldChange) -> list[str]:
    path, old, new = change.path, change.old, change.new
    if section == "notices":
        return ["dates"] if path in ("first_published", "last_modified") else ["wording"]
    if section == "organisation":
        if path.startswith("legal_name") or path == "id":
            return ["controller_changed"]
        if path.startswith(
            ("contacts", "representatives", "supervisory_authorities", "address", "website", "representative")
        ):
            return ["contacts"]
        return ["wording"]
    if section == "commitments":
        return _commitment_reasons(path, old, new)
    return ["wording"]


def _commitment_reasons(path: str, old: Any, new: Any) -> list[str]:
    leaf = path.rsplit(".", 1)[-1]
    if path.startswith("request_clocks"):
        return _clock_reasons(old or [], new or [])
    if path == "request_records":
        return ["shorter_or_equal"] if not _longer(new, old) else ["fewer_rights"]
    if path.startswith("signals"):
        return ["weaker_signal"] if old == "honour" and new != "honour" else ["more_rights"]
    if path == "minimum_age":
        return ["younger_users"] if old is not None and (new is None or new < old) else ["more_rights"]
    if path.startswith("sale"):
        if leaf == "no_sale_under_age":
            return ["sale_or_sharing"] if old is not None and (new is None or new < old) else ["more_rights"]
        return ["sale_or_sharing"] if new is True else ["less_processing"]
    if path.startswith("changes"):
        if leaf == "notify_by":
            return ["less_notice"] if _grew(new, old) or new is None else ["more_rights"]
        if leaf == "advance_notice":
            return ["less_notice"] if new is None or _longer(new, old) else ["more_rights"]
        if leaf == "reconsent_on_material_change":
            return ["less_notice"] if old and not new else ["more_rights"]
    if path.startswith("breach_notification"):
        if leaf == "notify_people":
            return ["fewer_rights"] if new == "high_risk_only" else ["more_rights"]
        return ["fewer_rights"] if old and not new else ["more_rights"]
    return ["wording"]


def _clock_reasons(old: list[Any], new: list[Any]) -> list[str]:
    """Request clocks are a list without ids: compare what each (jurisdiction, right) is promised."""

    def promises(clocks: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for clock in clocks:
            if not isinstance(clock, Mapping):
                continue
            for code in clock.get("jurisdictions") or []:
                for right in clock.get("rights") or ["*"]:
                    out[(code, right)] = dict(clock)
        return out

    before, after = promises(old), promises(new)
    reasons: list[str] = []
    for key, promise in before.items():
        replacement = after.get(key) or after.get((key[0], "*"))
        if replacement is None:
            reasons.append("fewer_rights")
            continue
        for name in _CLOCK_FIELDS:
            if promise.get(name) is not None and replacement.get(name) is None:
                reasons.append("fewer_rights")
            elif _longer(promise.get(name), replacement.get(name)) and promise.get(name) is not None:
                reasons.append("slower_answer")
        if promise.get("acknowledge_same_channel") and not replacement.get("acknowledge_same_channel"):
            reasons.append("fewer_rights")
    return reasons or ["shorter_or_equal"]
