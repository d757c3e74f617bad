"""Forms of the privacy center and the console. They only parse; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.rights.models import Channel, Delivery, RequestFile
from mamori.rights.rules import RIGHT_LABELS


def jurisdiction_label(code: str) -> str:
    names = {
        "JP": _("Japan"),
        "US-CA": _("California, USA"),
        "UK": _("United Kingdom"),
        "CH": _("Switzerland"),
        "EU": _("European Union"),
    }
    if code in names:
        return str(names[code])
    if code.startswith("EU-"):
        return f"{_('European Union')}: {code[3:]}"
    if code.startswith("EEA-"):
        return f"{_('European Economic Area')}: {code[4:]}"
    return code


class RequestForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Where do you live?"))
    right = forms.ChoiceField(label=_("What would you like us to do?"))
    requester_name = forms.CharField(label=_("Your full name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Your e-mail address"), required=False, help_text=_("We send a one-time code to confirm it is yours.")
    )
    phone = forms.CharField(
        label=_("Telephone number (optional, helps us find your records)"), max_length=40, required=False
    )
    postal_code = forms.CharField(label=_("Postal code (optional)"), max_length=20, required=False)
    customer_number = forms.CharField(label=_("Customer or member number (optional)"), max_length=60, required=False)
    message = forms.CharField(
        label=_("Details of your request (for a correction: what is wrong and what is right)"),
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
        label=_("Postal address (required for an answer on paper)"),
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
    is_agent = forms.BooleanField(label=_("I am an authorized agent acting for someone else"), required=False)
    agent_name = forms.CharField(label=_("Agent's name"), max_length=200, required=False)
    agent_email = forms.EmailField(label=_("Agent's e-mail address"), required=False)
    agent_permission = forms.FileField(
        label=_("Written permission signed by the person (PDF or image)"), required=False
    )
    agent_identity = forms.FileField(label=_("The agent's own identity document (PDF or image)"), required=False)
    identity_document = forms.FileField(label=_("Identity document (optional; PDF or image)"), required=False)

    def __init__(self, *args: Any, jurisdictions: list[str], rights: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, jurisdiction_label(code)) for code in jurisdictions]
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = choices
        cast(forms.ChoiceField, self.fields["right"]).choices = [(right, RIGHT_LABELS[right]) for right in rights]

    def uploads(self) -> list[tuple[str, Any]]:
        pairs = [
            ("agent_permission", RequestFile.Kind.AGENT_PERMISSION),
            ("agent_identity", RequestFile.Kind.AGENT_IDENTITY),
            ("identity_document", RequestFile.Kind.IDENTITY),
        ]
        return [(kind, self.cleaned_data[name]) for name, kind in pairs if self.cleaned_data.get(name)]


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
    code = forms.CharField(label=_("Verification code"), max_length=12)


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
