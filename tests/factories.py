"""factory_boy factories shared by every test (cookiecutter-django style)."""

import datetime

import factory
from django.contrib.auth.models import Group

from directory.accounts.models import User
from directory.masters.models import Municipality, Programme
from directory.members.models import Member
from directory.shops.models import Owner, OwnerShop, Shop, ShopBenefit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    name = factory.Sequence(lambda n: f"テスト商店{n}")
    name_kana = factory.Sequence(lambda n: f"てすとしょうてん{n}")
    postcode = "540-8570"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="271004"))
    address = "中央区大手前2丁目"
    latitude = 34.6863
    longitude = 135.5200
    phone = "06-6941-0351"
    live = True


class ShopBenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopBenefit

    shop = factory.SubFactory(ShopFactory)
    programme = factory.LazyFunction(lambda: Programme.objects.get(code="maido"))
    title = "お会計から5%引き"
    detail = "カードをご提示ください。"


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    user = factory.SubFactory(UserFactory, groups=["協賛店オーナー"])
    name = factory.Sequence(lambda n: f"店主{n}")


def owner_with_shop(shop=None, **shop_kwargs):
    shop = shop or ShopFactory(**shop_kwargs)
    owner = OwnerFactory()
    OwnerShop.objects.create(owner=owner, shop=shop)
    return owner, shop


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    member_number = factory.Sequence(lambda n: f"27{n:08d}")
    family_name = "大阪"
    given_name = "花子"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="271004"))
    due_date = None
    marriage_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"

    title = factory.Sequence(lambda n: f"親子イベント{n}")
    summary = "親子で楽しめるイベントです。"
    body = "<p>どなたでも参加できます。</p>"
    starts_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=3))
    ends_on = factory.LazyAttribute(lambda event: event.starts_on + datetime.timedelta(days=2))
    venue = "大阪府庁 本館"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="271004"))
    live = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "faminavi.Article"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"子育て情報{n}")
    summary = "子育てに役立つ情報です。"
    body = "<p>手当や相談窓口をご案内します。</p>"
    live = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)
            self.save()

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        if create and extracted:
            self.genres.set(extracted)
            self.save()


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Child"

    member = factory.SubFactory(MemberFactory)
    birth_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=365 * 3))
    nickname = ""


class FavouriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Favourite"

    member = factory.SubFactory(MemberFactory)
    shop = factory.SubFactory(ShopFactory)
