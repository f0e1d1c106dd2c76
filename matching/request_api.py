"""Introduction requests through the API: the business asks, the research office reviews.

Every read goes through the request selectors, every write through one service; the business
is served a serializer that has no field for the institution's internal notes or assignee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.selectors import diagnostics_for
from ocip import api_fields as fields
from ocip.api_pagination import PageNumberPagination
from ocip.errors import Conflict

from . import selectors, services, workflow
from .models import ExpertiseProfile, Institution, IntroductionRequest, MatchRun

# --- Helpers shared with projects/api.py and match_api.py ----------------------------------


def visible_request(http_request: Request, pk: int) -> IntroductionRequest:
    """The request if `http_request.user` may open it; a 404 otherwise, as if it did not exist."""
    return get_object_or_404(
        selectors.requests_visible_to(http_request.user).select_related(
            "company", "institution", "profile", "assigned_to"
        ),
        pk=pk,
    )


def latest_run(http_request: Request, diagnostic) -> MatchRun:
    """The diagnostic's latest match run, or a 409 that says why there is none yet."""
    run = selectors.latest_match_run(user=http_request.user, diagnostic_id=diagnostic.pk)
    if run is None:
        raise Conflict(
            _("Submit this diagnostic first: its matches come with the submission.")
            if diagnostic.is_draft
            else _("The matches of this diagnostic are still being computed: try again soon.")
        )
    return run


def colleague(institution: Institution, value: int | str, field: str):
    """A researcher or office staff member of `institution`, by user id or email (a value
    fields.PersonRef accepted: a database-sized id, or at most 254 characters)."""
    people = selectors.assignable_people(institution)
    person = (
        people.filter(pk=value).first()
        if isinstance(value, int)
        else people.filter(email__iexact=value.strip()).first()
    )
    if person is None:
        raise exceptions.ValidationError(
            {
                field: [
                    _("Choose a researcher or staff member of %(name)s.")
                    % {"name": institution.name}
                ]
            }
        )
    return person


# --- Output ---------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class TargetSerializer(serializers.Serializer):
    """Who the request is addressed to: a profile, or a whole institution (a referral)."""

    profile = serializers.CharField(source="profile.external_id", allow_null=True)
    profile_name = serializers.CharField(source="profile.name", allow_null=True)
    institution = serializers.CharField(source="institution.slug")
    institution_name = serializers.CharField(source="institution.name")


class CompanySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class RequestSummarySerializer(serializers.ModelSerializer):
    # Plain strings: an enum here would collide with the other models' `status` in the schema.
    status = serializers.CharField(help_text=", ".join(IntroductionRequest.Status.values))
    status_label = serializers.CharField(source="get_status_display")
    company = CompanySerializer()
    target = TargetSerializer(source="*")

    class Meta:
        model = IntroductionRequest
        fields = [
            "id",
            "status",
            "status_label",
            "version",
            "company",
            "target",
            "score",
            "referred_from",
            "created_at",
            "updated_at",
            "first_response_at",
            "closed_at",
        ]


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.SerializerMethodField(
        help_text="Who acted; for the institution's own people (and platform staff) only."
    )
    note = serializers.CharField()

    def get_actor(self, event) -> str | None:
        if event.actor is None or not self.context["sides"] & {"institution", "platform"}:
            return None
        return str(event.actor)


class MessageSerializer(serializers.Serializer):
    author = serializers.SerializerMethodField()
    from_business = serializers.BooleanField()
    body = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")

    def get_author(self, message) -> str | None:
        return str(message.author) if message.author else None


class NoteSerializer(serializers.Serializer):
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")

    def get_author(self, note) -> str | None:
        return str(note.author) if note.author else None


class ChainLinkSerializer(serializers.Serializer):
    """A link of the referral chain; one the reader cannot open gives its institution only."""

    id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    status_label = serializers.CharField(source="get_status_display", allow_null=True)
    institution = serializers.CharField(source="institution.slug")
    institution_name = serializers.CharField(source="institution.name")
    target_name = serializers.CharField(allow_null=True)

    def to_representation(self, link) -> dict:
        data = super().to_representation(link)
        if getattr(link, "hidden", False):
            data |= {"id": None, "status": None, "status_label": None, "target_name": None}
        return data


class ContactSerializer(serializers.Serializer):
    preference = serializers.CharField(source="contact_preference")
    phone = serializers.CharField(source="contact_phone")


class SuggestionSerializer(serializers.Serializer):
    profile = serializers.CharField()
    name = serializers.CharField()
    institution = serializers.CharField()
    institution_name = serializers.CharField()
    score = serializers.FloatField()


class RequestDetailSerializer(RequestSummarySerializer):
    """A request as its business sees it. Needs `sides` (request_sides) and `user` in context."""

    diagnostic = serializers.IntegerField(source="diagnostic_id")
    hopes = serializers.ListField(child=serializers.CharField())
    contact = ContactSerializer(source="*")
    decline_reason = serializers.CharField(
        help_text=", ".join(IntroductionRequest.DeclineReason.values) + "; empty if not declined."
    )
    decline_reason_label = serializers.CharField(source="get_decline_reason_display")
    referrals = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField(
        help_text="The referral chain this request belongs to, first request first."
    )
    project = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    suggestions = serializers.SerializerMethodField(
        help_text="After a decline, the next best matches elsewhere (for the business)."
    )
    actions = serializers.SerializerMethodField(
        help_text="What the person asking may do now: the <action> of POST .../<action>/."
    )

    class Meta(RequestSummarySerializer.Meta):
        fields = [
            *RequestSummarySerializer.Meta.fields,
            "diagnostic",
            "message",
            "hopes",
            "contact",
            "decline_reason",
            "decline_reason_label",
            "decline_note",
            "referrals",
            "chain",
            "project",
            "timeline",
            "messages",
            "suggestions",
            "actions",
        ]

    def get_referrals(self, intro) -> list[int]:
        return list(intro.referrals.values_list("pk", flat=True))

    @extend_schema_field(ChainLinkSerializer(many=True))
    def get_chain(self, intro) -> list:
        chain = selectors.request_chain_for(user=self.context["user"], request=intro)
        return list(ChainLinkSerializer(chain, many=True).data)

    def get_project(self, intro) -> int | None:
        # The project (projects app) points here; matching reads its id without importing it.
        project = getattr(intro, "project", None)
        return project.pk if project else None

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, intro) -> list:
        events = selectors.request_events_for(user=self.context["user"], request=intro)
        return list(EventSerializer(events, many=True, context=self.context).data)

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, intro) -> list:
        return list(MessageSerializer(intro.messages.select_related("author"), many=True).data)

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, intro) -> list:
        if "business" not in self.context["sides"] or intro.status != workflow.DECLINED:
            return []
        return list(SuggestionSerializer(selectors.next_best_matches(intro), many=True).data)

    def get_actions(self, intro) -> list[str]:
        available = workflow.available_actions(self.context["sides"], intro.status)
        names = [name for name, action in ACTIONS.items() if action.name in available]
        return names + ["accept"] * ("accept" in available)


class InstitutionRequestDetailSerializer(RequestDetailSerializer):
    """A request as the institution's own people see it: with the assignee and the internal
    notes, keys the business's answer never has."""

    assigned_to = PersonSerializer(allow_null=True)
    sector = serializers.CharField()
    capability_areas = serializers.ListField(child=serializers.CharField())
    notes = serializers.SerializerMethodField()

    class Meta(RequestDetailSerializer.Meta):
        fields = [
            *RequestDetailSerializer.Meta.fields,
            "assigned_to",
            "sector",
            "capability_areas",
            "notes",
        ]

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, intro) -> list:
        notes = selectors.request_notes_for(user=self.context["user"], request=intro)
        return list(NoteSerializer(notes, many=True).data)


def request_detail(http_request: Request, intro: IntroductionRequest) -> dict:
    """The detail of `intro` as `http_request.user` may see it."""
    user = http_request.user
    sides = selectors.request_sides(user=user, request=intro)
    serializer = (
        InstitutionRequestDetailSerializer if "institution" in sides else RequestDetailSerializer
    )
    return serializer(intro, context={"request": http_request, "user": user, "sides": sides}).data


# --- Actions --------------------------------------------------------------------------------


class _VersionedInput(serializers.Serializer):
    version = fields.Integer(
        min_value=1,
        help_text="The request's version you acted on; if it changed since, you get a 409.",
    )


class AssignInput(_VersionedInput):
    assignee = fields.PersonRef(help_text="A user id or email address.")


class BodyInput(serializers.Serializer):
    body = fields.Text(max_length=4000)


class AskInfoInput(_VersionedInput):
    question = fields.Text(max_length=4000)


class AnswerInput(serializers.Serializer):
    version = fields.Integer(min_value=1, required=False)
    answer = fields.Text(max_length=4000)


class DeclineInput(_VersionedInput):
    reason = fields.Choice(choices=IntroductionRequest.DeclineReason.choices)
    note = fields.Text(
        max_length=2000, required=False, allow_blank=True, help_text="Shown to the business."
    )


class ReferInput(_VersionedInput):
    to_profile = fields.Text(max_length=100, required=False, help_text="An expertise profile id.")
    to_institution = fields.Slug(required=False, help_text="An institution slug.")
    note = fields.Text(max_length=2000)

    def validate(self, attrs):
        if ("to_profile" in attrs) == ("to_institution" in attrs):
            raise serializers.ValidationError(
                _("Refer to one expertise profile or to one institution.")
            )
        return attrs


class WithdrawInput(serializers.Serializer):
    version = fields.Integer(min_value=1, required=False)
    note = fields.Text(max_length=2000, required=False, allow_blank=True)


def _assign(actor, intro, data):
    return services.request_assign(
        actor=actor,
        request=intro,
        expected_version=data["version"],
        assignee=colleague(intro.institution, data["assignee"], "assignee"),
    )


def _refer(actor, intro, data):
    to_profile = to_institution = None
    if "to_profile" in data:
        to_profile = ExpertiseProfile.objects.filter(external_id=data["to_profile"]).first()
        if to_profile is None:
            raise exceptions.ValidationError(
                {"to_profile": [_("No expertise profile has this identifier.")]}
            )
    else:
        to_institution = Institution.objects.filter(slug=data["to_institution"]).first()
        if to_institution is None:
            raise exceptions.ValidationError(
                {"to_institution": [_("No institution has this slug.")]}
            )
    return services.request_refer(
        actor=actor,
        request=intro,
        expected_version=data["version"],
        note=data["note"],
        to_profile=to_profile,
        to_institution=to_institution,
    )


@dataclass(frozen=True)
class Action:
    name: str  # the workflow action (workflow.ACTORS), which says who may take it and when
    input: type[serializers.Serializer]
    run: Callable[[Any, IntroductionRequest, dict], Any]


ACTIONS: dict[str, Action] = {
    "assign": Action("assign", AssignInput, _assign),
    "message": Action(
        "message",
        BodyInput,
        lambda actor, intro, data: services.request_message(
            actor=actor, request=intro, body=data["body"]
        ),
    ),
    "note": Action(
        "note",
        BodyInput,
        lambda actor, intro, data: services.request_note_add(
            actor=actor, request=intro, body=data["body"]
        ),
    ),
    "ask-info": Action(
        "ask_info",
        AskInfoInput,
        lambda actor, intro, data: services.request_ask_info(
            actor=actor,
            request=intro,
            expected_version=data["version"],
            question=data["question"],
        ),
    ),
    "answer": Action(
        "answer",
        AnswerInput,
        lambda actor, intro, data: services.request_answer(
            actor=actor,
            request=intro,
            expected_version=data.get("version"),
            answer=data["answer"],
        ),
    ),
    "decline": Action(
        "decline",
        DeclineInput,
        lambda actor, intro, data: services.request_decline(
            actor=actor,
            request=intro,
            expected_version=data["version"],
            reason=data["reason"],
            note=data.get("note", ""),
        ),
    ),
    "refer": Action("refer", ReferInput, _refer),
    "withdraw": Action(
        "withdraw",
        WithdrawInput,
        lambda actor, intro, data: services.request_withdraw(
            actor=actor,
            request=intro,
            expected_version=data.get("version"),
            note=data.get("note", ""),
        ),
    ),
}
# The office's accept (which also creates the project) is in projects/api.py.
ACTION_PATTERN = "|".join(ACTIONS)


# --- Views ----------------------------------------------------------------------------------

REQUEST_DETAIL = PolymorphicProxySerializer(
    component_name="RequestDetailForViewer",
    serializers=[RequestDetailSerializer, InstitutionRequestDetailSerializer],
    resource_type_field_name=None,
)
REFUSALS = {
    403: OpenApiResponse(description="You may see this request but not do this."),
    404: OpenApiResponse(description="No such request among those you may see."),
}


def _page(view: APIView, http_request: Request, queryset) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(
        queryset.select_related("company", "institution", "profile").order_by("-created_at", "-pk"),
        http_request,
        view=view,
    )
    return paginator.get_paginated_response(RequestSummarySerializer(page, many=True).data)


class MatchRunRequestsApi(APIView):
    """A diagnostic's introduction requests (the company's members only). POST asks for
    introductions to one or more profiles of the diagnostic's latest matches."""

    pagination_class = PageNumberPagination

    class RequestCreateInput(serializers.Serializer):
        profiles = serializers.ListField(
            child=fields.Text(max_length=100),
            max_length=services.MAX_PROFILES_PER_REQUEST,
            help_text="Expertise profile ids from the diagnostic's latest matches.",
        )
        message = fields.Text(max_length=2000)
        hopes = serializers.ListField(
            child=fields.Choice(choices=IntroductionRequest.Hope.choices),
            max_length=len(IntroductionRequest.Hope.choices),
            required=False,
            default=list,
        )
        contact_preference = fields.Choice(
            choices=IntroductionRequest.Contact.choices, default=IntroductionRequest.Contact.EMAIL
        )
        contact_phone = fields.Text(max_length=40, required=False, allow_blank=True)

    @extend_schema(responses=RequestSummarySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        diagnostic = get_object_or_404(diagnostics_for(request.user), pk=pk)
        return _page(
            self,
            request,
            selectors.requests_of_business(request.user).filter(diagnostic=diagnostic),
        )

    @extend_schema(
        request=RequestCreateInput,
        responses={
            201: OpenApiResponse(
                RequestDetailSerializer(many=True), description="One per profile."
            ),
            400: OpenApiResponse(description="Invalid input, by field."),
            404: OpenApiResponse(description="No such diagnostic among your companies'."),
            409: OpenApiResponse(description="The diagnostic has no matches yet."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        diagnostic = get_object_or_404(diagnostics_for(request.user), pk=pk)
        run = latest_run(request, diagnostic)
        payload = self.RequestCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        created = services.request_create(
            actor=request.user,
            run=run,
            profile_ids=data["profiles"],
            message=data["message"],
            hopes=data["hopes"],
            contact_preference=data["contact_preference"],
            contact_phone=data.get("contact_phone", ""),
        )
        return Response(
            [request_detail(request, intro) for intro in created], status=status.HTTP_201_CREATED
        )


class RequestsApi(APIView):
    """The requests you may see, newest first: your companies' (`side=business`), those
    addressed to your research office or assigned to you (`side=institution`), or both."""

    pagination_class = PageNumberPagination

    class RequestFilters(serializers.Serializer):
        side = fields.Choice(choices=["business", "institution"], required=False)
        status = fields.Choice(choices=IntroductionRequest.Status.choices, required=False)
        institution = fields.Slug(required=False, help_text="An institution slug.")

    @extend_schema(parameters=[RequestFilters], responses=RequestSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.RequestFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        user = request.user
        requests = {
            "business": selectors.requests_of_business,
            "institution": selectors.requests_of_institution_side,
        }.get(wanted.get("side"), selectors.requests_visible_to)(user)
        if "status" in wanted:
            requests = requests.filter(status=wanted["status"])
        if "institution" in wanted:
            requests = requests.filter(institution__slug=wanted["institution"])
        return _page(self, request, requests)


class RequestApi(APIView):
    """One request: its state and version, timeline, messages; the institution's own people
    also get `assigned_to`, `sector`, `capability_areas` and the internal `notes`."""

    @extend_schema(responses={200: REQUEST_DETAIL, 404: REFUSALS[404]})
    def get(self, request: Request, pk: int) -> Response:
        return Response(request_detail(request, visible_request(request, pk)))


class RequestActionApi(APIView):
    """Act on a request. Office state changes need `version`, the one you last saw; if the
    request changed since, or the action is not allowed in its state, you get a 409 with a
    message that says why. `refer` answers 201 with the new request, the others 200 with
    this one. Accepting is POST .../accept/."""

    @extend_schema(
        operation_id="v1_requests_act",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ACTIONS)),
        ],
        request=PolymorphicProxySerializer(
            component_name="RequestActionInput",
            serializers=[
                AssignInput,
                BodyInput,
                AskInfoInput,
                AnswerInput,
                DeclineInput,
                ReferInput,
                WithdrawInput,
            ],
            resource_type_field_name=None,
        ),
        responses={
            200: REQUEST_DETAIL,
            201: OpenApiResponse(REQUEST_DETAIL, description="The new request (refer)."),
            400: OpenApiResponse(description="Invalid input, by field."),
            **REFUSALS,
            409: OpenApiResponse(description="Not allowed in this state, or changed since."),
        },
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        intro = visible_request(request, pk)
        handler = ACTIONS.get(action)
        if handler is None:
            raise exceptions.NotFound()
        # Refuse (403) someone who may read the request but not do this before their input is
        # checked: they learn they may not act, not what a valid input would be.
        services.require_request_action(request.user, intro, handler.name)
        payload = handler.input(data=request.data)
        payload.is_valid(raise_exception=True)
        result = handler.run(request.user, intro, payload.validated_data)
        if action == "refer":
            return Response(request_detail(request, result), status=status.HTTP_201_CREATED)
        intro.refresh_from_db()
        return Response(request_detail(request, intro))
