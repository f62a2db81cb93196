import factory
from django.contrib.auth.models import Group

from dealership.models import Showroom, User
from dealership.roles import Role
from leads.models import Customer, Grade


class ShowroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Showroom
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Showroom {n}")
    sms_signature = "Test Motors"

    @factory.post_generation
    def lost_reasons(self, create, extracted, **kwargs):
        if create:  # as the admin does for a new showroom
            from leads.services import showroom_setup

            showroom_setup(showroom=self)  # lost reasons, lead sources


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    showroom = factory.SubFactory(ShowroomFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        role = extracted or Role.SALES_CONSULTANT
        self.groups.add(Group.objects.get(name=Role(role).value))
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    showroom = factory.SubFactory(ShowroomFactory)
    name = factory.Faker("name")
    # 166…: a range no test types by hand (they use 138/139 numbers), so never a clash with them
    mobile = factory.Sequence(lambda n: f"+86166{n:08d}")
    owner = factory.SubFactory(UserFactory, showroom=factory.SelfAttribute("..showroom"))
    grade = Grade.A
    sms_consent = True


def walk_in(consultant, *, mobile="", **kwargs):
    """Log a walk-in through the real service, received by ``consultant``; returns the Visit."""
    from showroom.services import visit_create

    return visit_create(
        showroom=consultant.showroom,
        consultant=consultant,
        by=consultant,
        channel="walk_in",
        mobile=mobile,
        **kwargs,
    ).visit


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "showroom.Brand"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "showroom.Series"

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Series {n}")


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "showroom.VehicleModel"

    series = factory.SubFactory(SeriesFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    model_year = 2026


class ColourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "showroom.Colour"

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Colour {n}")
    hex = "#334455"


class TrimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "showroom.Trim"
        skip_postgeneration_save = True

    vehicle_model = factory.SubFactory(VehicleModelFactory)
    name = factory.Sequence(lambda n: f"Trim {n}")
    code = factory.Sequence(lambda n: f"trim-{n}")
    engine = "2.0T"
    gearbox = "automatic"
    drive = "fwd"
    fuel = "petrol"
    seats = 5

    @factory.post_generation
    def colours(self, create, extracted, **kwargs):
        if create and extracted:
            self.colours.add(*extracted)
