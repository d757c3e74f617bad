"""Forms of the privacy center and the console. They only parse; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.rights.jurisdictions import jurisdiction_label, sorted_by_name
from mamori.rights.models import Channel, Delivery, RequestFile
from mamori.rights.models.requests import ELECTRONIC_CHANNELS
from mamori.rights.rules import RIGHT_LABELS

__all__ = ["RequestForm", "StaffRequestForm", "jurisdiction_label"]


class RequestForm(forms.Form):
    """The privacy center's request form, in three groups (who you are, what you ask, how we reply)
    and an agent's part that counts only when "I am an agent" is ticked. The checks a person can fix
    are made here, so each error stands next to its field; the service checks everything again."""

    jurisdiction = forms.ChoiceField(label=_("Where do you live?"))
    right = forms.ChoiceField(label=_("What would you like us to do?"))
    requester_name = forms.CharField(label=_("Your full name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Your e-mail address"), required=False, help_text=_("We send a one-time code to confirm it is yours.")
    )
    phone = forms.CharField(
        label=_("Telephone number (optional)"),
        help_text=_("Helps us find your records."),
        max_length=40,
        required=False,
    )
    postal_code = forms.CharField(label=_("Postal code (optional)"), max_length=20, required=False)
    customer_number = forms.CharField(label=_("Customer or member number (optional)"), max_length=60, required=False)
    message = forms.CharField(
        label=_("Details of your request"),
        help_text=_("For a correction: what is wrong and what is right."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    delivery = forms.ChoiceField(
        label=_("How would you like to receive our answer?"),
        choices=Delivery.choices,
        initial=Delivery.ELECTRONIC,
        widget=forms.RadioSelect,
    )
    postal_address = forms.CharField(
        label=_("Postal address"),
        help_text=_("Needed only for an answer on paper."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
    )
    specific_pieces = forms.BooleanField(
        label=_("I ask for the specific pieces of information (not only categories)"), required=False
    )
    declaration_signed = forms.BooleanField(
        label=_("I declare under penalty of perjury that I am the person whose information is requested"),
        required=False,
    )
    identity_document = forms.FileField(label=_("Identity document (optional; PDF or image)"), required=False)
    is_agent = forms.BooleanField(label=_("I am an authorized agent acting for someone else"), required=False)
    agent_name = forms.CharField(label=_("Agent's name"), max_length=200, required=False)
    agent_email = forms.EmailField(label=_("Agent's e-mail address"), required=False)
    agent_permission = forms.FileField(
        label=_("Written permission signed by the person (PDF or image)"), required=False
    )
    agent_identity = forms.FileField(label=_("The agent's own identity document (PDF or image)"), required=False)

    AGENT_FIELDS = ("agent_name", "agent_email", "agent_permission", "agent_identity")
    # Only California's law (CPRA) knows "specific pieces" and the declaration under penalty of perjury.
    CALIFORNIA_FIELDS = ("specific_pieces", "declaration_signed")

    def __init__(self, *args: Any, jurisdictions: list[str], rights: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = sorted_by_name(jurisdictions)
        cast(forms.ChoiceField, self.fields["right"]).choices = [(right, RIGHT_LABELS[right]) for right in rights]

    def chosen_place(self) -> str:
        """The place chosen on the first step (the form's wording depends on it)."""
        return str(self.data.get("jurisdiction") or self.initial.get("jurisdiction") or "")

    def sections(self) -> dict[str, list[forms.BoundField]]:
        """The fields of each part of the page, in order (the template lays them out)."""
        names = {
            "you": ["requester_name", "requester_email", "phone", "postal_code", "customer_number"],
            "ask": ["right", "message", *(self.CALIFORNIA_FIELDS if self.chosen_place() == "US-CA" else ())],
            "reply": ["delivery", "postal_address"],
            "identity": ["identity_document"],
            "agent": ["is_agent", *self.AGENT_FIELDS],
        }
        return {group: [self[name] for name in fields if name in self.fields] for group, fields in names.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_agent"):  # agent fields filled and then left: ignored, not half-used
            for name in self.AGENT_FIELDS:
                data[name] = None if name in ("agent_permission", "agent_identity") else ""
                self.errors.pop(name, None)
        if data.get("jurisdiction") != "US-CA":
            for name in self.CALIFORNIA_FIELDS:
                data[name] = False
        channel = data.get("channel", Channel.FORM)
        if data.get("is_agent"):
            if not (data.get("agent_name") or "").strip():
                self.add_error("agent_name", _("Please give the agent's name."))
            if channel in ELECTRONIC_CHANNELS and not data.get("agent_email") and "agent_email" not in self.errors:
                self.add_error("agent_email", _("Please give an e-mail address where we can reach the agent."))
            if not data.get("agent_permission"):
                self.add_error("agent_permission", _("Please attach the written permission signed by the person."))
            if not data.get("agent_identity"):
                self.add_error("agent_identity", _("Please attach the agent's own identity document."))
        elif (
            channel in ELECTRONIC_CHANNELS and not data.get("requester_email") and "requester_email" not in self.errors
        ):
            self.add_error(
                "requester_email", _("Please give your e-mail address: we send the code and our answer there.")
            )
        if data.get("delivery") == Delivery.PAPER and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", _("Please give the postal address for an answer on paper."))
        if data.get("specific_pieces") and not data.get("declaration_signed"):
            self.add_error("declaration_signed", _("Specific pieces of information need this declaration."))
        if data.get("right") in ("rectification", "addition") and not (data.get("message") or "").strip():
            self.add_error("message", _("Please say what should be corrected or added."))
        return data

    def full_clean(self) -> None:
        super().full_clean()
        # A field in error names its message (and its help) for screen readers; Django names the help only.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_helptext"] if bound.help_text else []
                self.fields[name].widget.attrs["aria-describedby"] = " ".join([*described, f"{bound.auto_id}_error"])

    def uploads(self) -> list[tuple[str, Any]]:
        pairs = [
            ("agent_permission", RequestFile.Kind.AGENT_PERMISSION),
            ("agent_identity", RequestFile.Kind.AGENT_IDENTITY),
            ("identity_document", RequestFile.Kind.IDENTITY),
        ]
        return [(kind, self.cleaned_data[name]) for name, kind in pairs if self.cleaned_data.get(name)]

    # Where a service error belongs on the page (its code -> the field to show it beside).
    ERROR_FIELDS = {
        "name_required": "requester_name",
        "bad_email": "requester_email",
        "email_required": "requester_email",
        "address_required": "postal_address",
        "declaration_required": "declaration_signed",
        "fields_required": "message",
        "agent_name_required": "agent_name",
        "agent_documents_required": "agent_permission",
        "bad_jurisdiction": "jurisdiction",
        "right_not_offered": "right",
    }


# The privacy center's questions, asked of staff who type a paper request in ("Where does the
# requester live?", not "Where do you live?").
STAFF_LABELS = {
    "jurisdiction": _("Where does the requester live?"),
    "right": _("What does the requester ask for?"),
    "requester_name": _("Requester's full name"),
    "requester_email": _("Requester's e-mail address (if they gave one)"),
    "phone": _("Requester's telephone number (optional, helps find their records)"),
    "postal_code": _("Requester's postal code (optional)"),
    "customer_number": _("Requester's customer or member number (optional)"),
    "message": _("What the request says (for a correction: what is wrong and what is right)"),
    "delivery": _("How does the requester want the answer?"),
    "postal_address": _("Requester's postal address (required for an answer on paper)"),
    "specific_pieces": _("The requester asks for the specific pieces of information (not only categories)"),
    "declaration_signed": _("The requester signed the declaration that they are the person concerned"),
    "is_agent": _("An authorized agent filed it for someone else"),
    "agent_name": _("Agent's name"),
    "agent_email": _("Agent's e-mail address"),
    "agent_permission": _("Written permission signed by the person (PDF or image)"),
    "agent_identity": _("The agent's own identity document (PDF or image)"),
    "identity_document": _("The requester's identity document (optional; PDF or image)"),
}
STAFF_GROUPS = [
    (_("How it arrived"), ["channel", "received_at", "language"]),
    (
        _("The requester"),
        [
            "jurisdiction",
            "requester_name",
            "requester_email",
            "phone",
            "postal_code",
            "customer_number",
            "postal_address",
            "identity_document",
        ],
    ),
    (_("The request"), ["right", "message", "specific_pieces", "declaration_signed", "delivery"]),
    (_("Filed by an agent"), ["is_agent", "agent_name", "agent_email", "agent_permission", "agent_identity"]),
]


class StaffRequestForm(RequestForm):
    """A request that came by mail, phone, fax or paper, typed in by staff (CP4: the channel is kept)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in STAFF_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].help_text = ""

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in fieldsets; a field no group names goes in the last one."""
        named = {name for _legend, names in STAFF_GROUPS for name in names}
        groups = [(legend, [self[name] for name in names if name in self.fields]) for legend, names in STAFF_GROUPS]
        rest = [self[name] for name in self.fields if name not in named]
        if rest:
            groups.append((_("Other"), rest))
        return groups

    channel = forms.ChoiceField(
        label=_("How did the request arrive?"),
        choices=[c for c in Channel.choices if c[0] not in (Channel.FORM, Channel.API)],
    )
    language = forms.ChoiceField(label=_("Requester's language"), choices=[("ja", "日本語"), ("en", "English")])
    received_at = forms.DateTimeField(
        label=_("Received at (controller's time zone)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CompleteForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the requester"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    result = forms.FileField(label=_("Result file (optional)"), required=False)


class DenyForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"))
    message = forms.CharField(
        label=_("Explanation to the requester"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, grounds: dict[str, object], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["ground"]).choices = list(grounds.items())


class ClosureForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)

    def __init__(self, *args: Any, organisations: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [(org, org) for org in organisations]


class MinorForm(forms.Form):
    """Staff record that a person is under the company's minimum age (OM11, CP9)."""

    jurisdiction = forms.ChoiceField(label=_("Where does the person live?"))
    requester_name = forms.CharField(label=_("The person's name"), max_length=200)
    requester_email = forms.EmailField(label=_("The person's e-mail address"), required=False)
    customer_number = forms.CharField(label=_("Customer or member number"), max_length=60, required=False)
    reason = forms.ChoiceField(label=_("How did we learn the person is under age?"))
    note = forms.CharField(
        label=_("Internal note (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, jurisdictions: list[str], reasons: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [
            (code, jurisdiction_label(code)) for code in jurisdictions
        ]
        cast(forms.ChoiceField, self.fields["reason"]).choices = list(reasons.items())
