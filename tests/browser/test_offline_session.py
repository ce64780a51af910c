"""Issue 11, points 2 and 7: on a 360-px phone a commune official opens a hand-out session
for a village while online, loses the signal, records three hand-outs, reloads the page
(and opens it again in a new tab), gets the signal back and syncs; meanwhile one of the
phones was handed out elsewhere: that one is listed as a conflict with its choices, and the
official resolves it with another phone of the stock. Nothing is lost, nothing twice."""

import datetime

import pytest
from django.urls import reverse

from distribution import services
from distribution.models import Device, Handout
from tests.distribution.conftest import batch_to_na_ri, commune_stock, donation, stock  # noqa: F401 - fixtures
from tests.factories import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every step waits on a condition (an element, a count, the service worker's state); this is only
# the bound on how long a loaded machine may take to reach it, not a pause.
PATIENCE_MS = 90_000


def patient(page):
    page.set_default_timeout(PATIENCE_MS)
    return page

@pytest.fixture
def village_households(tree):
    return [make_household(tree.con_minh, name, rank=rank, village=tree.ban_con, people=[(name, cid)])
            for name, rank, cid in [("Hoàng Văn Một", 1, "006080000011"), ("Lý Thị Hai", 1, "006185000022"),
                                    ("Nông Văn Ba", 2, "006080000033"), ("Ma Thị Bốn", 3, "006190000044")]]


def open_session(page, live_server, login, village, *, username="xa_conminh", first="#hh-list li.hh"):
    patient(page)
    login(page, live_server, username)
    page.goto(live_server.url + reverse("distribution:handout_session"))
    # The service worker is in charge before the signal goes (it keeps the page): installed (its
    # precache done), activated, and controlling this page (its activation claims the open
    # pages). No reload here: a reload racing the activation on a loaded machine could land on a
    # page no worker controls, and the test would wait for nothing.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null"
                           " && navigator.serviceWorker.controller.state === 'activated'",
                           polling=250, timeout=PATIENCE_MS)
    page.select_option("#village", label=village)
    page.locator("#open-button:enabled").click()
    page.locator(first).first.wait_for()


def record(page, household_name: str, imei: str):
    page.locator("#hh-list li.hh", has_text=household_name).locator("button").click()
    page.locator("#record").wait_for()
    page.fill("#rec-imei", imei[-4:])
    page.locator("#rec-stock button", has_text=imei).click()  # picked from the cached stock
    page.check("#rec-consent")  # Decree 13/2023: the recipient agreed
    page.click("#record-save")
    page.locator("#queue-list li", has_text=imei).wait_for()


def queue_count(page) -> str:
    page.locator("#queue-count").wait_for(state="attached")
    return page.inner_text("#queue-count")


@pytest.mark.usefixtures("programme")
def test_offline_session_records_syncs_and_resolves_a_conflict(small_phone, live_server, login, tree, users,
                                                               programme, commune_stock,  # noqa: F811
                                                               village_households):
    page = small_phone
    one, two, three, four = village_households
    phones = sorted(d.imei for d in commune_stock)
    elsewhere = make_household(tree.con_minh, "Đinh Văn Khác", rank=1, village=tree.na_phai,
                               people=[("Đinh Văn Khác", "006080000099")])

    open_session(page, live_server, login, "Bản Còn")
    assert page.locator("#hh-list li.hh").count() == 4
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    assert page.evaluate("() => fetch('/healthz').then(() => 'reached', () => 'no network')") == "no network"
    # Without the recipient's consent nothing is queued (Decree 13/2023, as on the web form).
    page.locator("#hh-list li.hh", has_text=one.head_name).locator("button").click()
    page.fill("#rec-imei", phones[0])
    page.click("#record-save")
    page.locator("#record-error", has_text="đồng ý").wait_for()
    assert page.locator("#queue-list li").count() == 0
    page.click("#record-cancel")
    record(page, one.head_name, phones[0])
    record(page, two.head_name, phones[1])
    record(page, three.head_name, phones[2])
    assert queue_count(page) == "3"
    assert Handout.objects.count() == 0

    # The queue survives a reload without a signal, and a closed tab.
    page.reload()
    page.locator("#queue-list li").nth(2).wait_for()
    assert queue_count(page) == "3"
    assert page.inner_text("#net") == "Không có mạng: các lượt cấp phát được ghi trên máy"
    second = patient(page.context.new_page())
    second.goto(live_server.url + reverse("distribution:handout_session"))
    second.locator("#queue-list li").nth(2).wait_for()
    assert second.inner_text("#queue-count") == "3"
    page.close()
    page = second

    # Meanwhile, at the commune office, the first phone goes to another household.
    services.handout_create(programme=programme, household=elsewhere, by=users.commune, imei=phones[0],
                            handed_out_on=datetime.date.today(), recipient_name="Đinh Văn Khác",
                            recipient_citizen_id="006080000099")

    page.context.set_offline(False)
    page.wait_for_function("() => navigator.onLine")
    page.click("#sync-button")
    conflict = page.locator("#conflict-list li.conflict")
    conflict.wait_for()
    assert conflict.get_attribute("data-code") == "device_handed_out"
    assert phones[0] in conflict.inner_text() and "Hoàng Văn Một" in conflict.inner_text()
    assert conflict.locator("button.choose-phone").count() == 1 and conflict.locator("button.discard").count() == 1
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'", polling=250)
    assert sorted(Handout.objects.filter(household__in=[two, three]).values_list("device__imei", flat=True)) == \
        phones[1:3]

    # Resolve: the official gives household one the fourth phone instead.
    conflict.locator("button.choose-phone").click()
    conflict.locator("input.resolve-imei").fill(phones[3][-4:])
    conflict.locator(".stock-picker button", has_text=phones[3]).click()
    conflict.locator("button.resend").click()
    page.locator("#conflicts").wait_for(state="hidden")
    page.locator("#open-session").wait_for()  # all sent: the session's personal data is gone

    handouts = {h.household_id: h for h in Handout.objects.select_related("device")}
    assert len(handouts) == Handout.objects.count() == 4  # nothing twice
    assert all(handouts[h.pk].consent_at is not None for h in (one, two, three))  # recorded offline
    assert handouts[one.pk].device.imei == phones[3]
    assert handouts[one.pk].recipient_citizen_id == "006080000011"
    assert handouts[two.pk].device.imei == phones[1] and handouts[three.pk].device.imei == phones[2]
    assert four.pk not in handouts
    assert page.evaluate("""() => new Promise((resolve) => {
        const r = indexedDB.open("phocap-offline");
        r.onsuccess = () => {
            const t = r.result.transaction(["households", "stock", "queue"]);
            const n = {};
            ["households", "stock", "queue"].forEach((s) => {
                t.objectStore(s).count().onsuccess = (e) => { n[s] = e.target.result; };
            });
            t.oncomplete = () => resolve(n);
        };
    })""") == {"households": 0, "stock": 0, "queue": 0}


COUNTS_JS = """() => new Promise((resolve) => {
    const r = indexedDB.open("phocap-offline");
    r.onsuccess = () => {
        const t = r.result.transaction(["meta", "households", "stock", "queue"]);
        const n = {};
        ["meta", "households", "stock", "queue"].forEach((s) => {
            t.objectStore(s).count().onsuccess = (e) => { n[s] = e.target.result; };
        });
        t.oncomplete = () => { r.result.close(); resolve(n); };
    };
})"""


@pytest.mark.usefixtures("programme")
def test_cached_personal_data_goes_at_logout_and_at_expiry_but_the_queue_stays(
        small_phone, live_server, login, commune_stock, village_households):  # noqa: F811
    page = small_phone
    phone = sorted(d.imei for d in commune_stock)[0]
    open_session(page, live_server, login, "Bản Còn")
    record(page, village_households[0].head_name, phone)
    assert page.evaluate(COUNTS_JS) == {"meta": 1, "households": 4, "stock": 4, "queue": 1}

    # Logout: the village's list and the stock leave the phone; the unsent hand-out does not.
    page.click("label.nav-toggle-label")
    page.click("form[data-logout] button")
    page.wait_for_url("**/dang-nhap/**")
    assert page.evaluate(COUNTS_JS) == {"meta": 0, "households": 0, "stock": 0, "queue": 1}

    login(page, live_server, "xa_conminh")
    page.goto(live_server.url + reverse("distribution:handout_session"))
    page.locator("#queue-list li", has_text=phone).wait_for()
    assert page.locator("#open-session").is_visible()

    # A session past its expiry is cleared on the next page the official opens.
    page.select_option("#village", label="Bản Còn")
    page.click("#open-button")
    page.locator("#hh-list li.hh").first.wait_for()
    page.evaluate("""() => new Promise((resolve) => {
        const r = indexedDB.open("phocap-offline");
        r.onsuccess = () => {
            const t = r.result.transaction("meta", "readwrite");
            const s = t.objectStore("meta");
            s.get("session").onsuccess = (e) => { const m = e.target.result; m.expires_at = Date.now() - 1000;
                                                  s.put(m, "session"); };
            t.oncomplete = () => { r.result.close(); resolve(); };
        };
    })""")
    page.goto(live_server.url + reverse("home"))
    page.wait_for_function("() => (" + COUNTS_JS + ")().then((n) => n.households === 0)")
    assert page.evaluate(COUNTS_JS) == {"meta": 0, "households": 0, "stock": 0, "queue": 1}


@pytest.mark.usefixtures("programme")
def test_lost_answer_is_replayed_once_and_each_conflict_offers_its_choices(
        _browser, live_server, login, tree, users, programme, commune_stock, village_households):  # noqa: F811
    from tests.browser.conftest import PHONE_360, _page

    # Two more phones for Côn Minh: the rest of Na Rì's.
    to_commune = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                         by=users.district, count=2)
    services.batch_receive(batch=to_commune, by=users.commune)
    phones = sorted(Device.objects.filter(holder_unit=tree.con_minh, status="in_stock")
                    .values_list("imei", flat=True))
    one, two, three, four = village_households
    # Page.route does not see requests a service worker could take: this context has none.
    context, page = _page(_browser, viewport=PHONE_360, is_mobile=True, has_touch=True, service_workers="block")
    patient(page)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "xa_conminh")
    page.goto(live_server.url + reverse("distribution:handout_session"))
    page.select_option("#village", label="Bản Còn")
    page.click("#open-button")
    page.locator("#hh-list li.hh").first.wait_for()
    context.set_offline(True)
    record(page, one.head_name, phones[0])
    record(page, two.head_name, phones[1])
    record(page, three.head_name, phones[2])

    # Meanwhile: household two gets a phone at the office, and phone 2 is written off.
    services.handout_create(programme=programme, household=two, by=users.commune, imei=phones[3],
                            handed_out_on=datetime.date.today(), person=two.people.get())
    services.device_write_off(device=Device.objects.get(imei=phones[2]), by=users.commune, reason="Vỡ màn hình")

    # The first answer is lost on the way back: the server recorded it, the phone never heard.
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort()
        else:
            route.continue_()

    page.route("**/api/v1/handouts/sync/", lose_first_answer)
    context.set_offline(False)
    page.click("#sync-button")
    page.wait_for_function("() => document.getElementById('sync-status').textContent.includes('Không có mạng')")
    # The whole chunk was done on the server: one hand-out, two refusals stored under their keys.
    assert lost == [200] and Handout.objects.filter(household=one).count() == 1
    assert queue_count(page) == "3"  # still queued: the phone cannot know it arrived

    page.click("#sync-button")  # the same key again: the server answers as the first time
    page.wait_for_function("() => document.querySelectorAll('#conflict-list li.conflict').length === 2", polling=250)
    assert Handout.objects.filter(household=one).count() == 1  # nothing twice
    assert queue_count(page) == "0"
    received = page.locator("#conflict-list li[data-code=household_already_received]")
    left = page.locator("#conflict-list li[data-code=device_not_in_stock]")
    # What happened, in the official's words and with the server's detail of where the phone is.
    assert "không còn trong kho của xã" in left.inner_text() and "đã bị xóa sổ" in left.inner_text()
    assert "đã nhận đủ máy" in received.inner_text()
    assert received.locator("button.choose-household").count() == 1 and received.locator("button.choose-phone").count() == 0
    assert left.locator("button.choose-phone").count() == 1

    received.locator("button.discard").click()  # the household was served at the office
    page.wait_for_function("() => document.querySelectorAll('#conflict-list li.conflict').length === 1", polling=250)
    left.locator("button.choose-phone").click()
    left.locator("input.resolve-imei").fill(phones[4])
    left.locator("button.resend").click()
    page.locator("#conflicts").wait_for(state="hidden")
    page.locator("#open-session").wait_for()

    got = dict(Handout.objects.values_list("household_id", "device__imei"))
    assert got == {one.pk: phones[0], two.pk: phones[3], three.pk: phones[4]}
    context.close()


@pytest.mark.usefixtures("programme")
def test_digital_team_records_a_visit_offline_and_syncs_it(small_phone, live_server, login, tree, users, programme,
                                                           commune_stock, village_households):  # noqa: F811
    """Issue 14: the community digital technology team of a village records a follow-up visit
    with no signal in the same session's queue; it reaches the server at sync, once."""
    from followup.models import Visit
    from phocap.accounts.models import Role
    from tests.factories import member

    member(tree.ban_con, Role.DIGITAL_TEAM, "to_cns_bancon")
    one, two = village_households[:2]
    handout, returned = (services.handout_create(programme=programme, household=h, by=users.commune,
                                                 imei=device.imei, handed_out_on=datetime.date(2023, 9, 8),
                                                 person=h.people.get())
                         for h, device in ((one, commune_stock[0]), (two, commune_stock[1])))
    page = small_phone
    open_session(page, live_server, login, "Bản Còn", username="to_cns_bancon", first="#rc-list li.rc")
    assert page.locator("#hh-section").is_hidden()  # visits only: no hand-outs for the team
    row = page.locator("#rc-list li.rc", has_text="Hoàng Văn Một")
    assert "chưa thăm" in row.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    row.locator("button").click()
    page.locator("#visit").wait_for()
    page.check("input[name=vis-vneid][value='2']")
    page.check("#vis-online")
    page.check("#vis-cashless")  # used a cashless payment without an account: refused on the phone
    page.click("#visit-save")
    page.locator("#visit-error").wait_for()
    page.check("#vis-account")
    page.select_option("#vis-phone", "in_use")
    page.fill("#vis-note", "Đã hướng dẫn cài VNeID")
    page.click("#visit-save")
    page.locator("#queue-list li[data-kind=visit]").wait_for()
    page.locator("#rc-list li.rc", has_text="Lý Thị Hai").locator("button").click()
    page.click("#visit-save")  # the defaults: not activated, in use
    page.locator("#queue-list li[data-kind=visit]").nth(1).wait_for()
    assert queue_count(page) == "2" and not Visit.objects.exists()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.reload()  # no signal: the kept page, the queue from IndexedDB
    page.locator("#queue-list li[data-kind=visit]").nth(1).wait_for()
    assert queue_count(page) == "2"

    # Meanwhile the second phone came back to the commune: that visit is refused at sync.
    services.handout_reverse(handout=returned, by=users.commune, reason="Trả lại máy")
    page.context.set_offline(False)
    page.wait_for_function("() => navigator.onLine")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#sync-button")
    refused = page.locator("#conflict-list li.conflict[data-kind=visit]")
    refused.wait_for()
    assert refused.get_attribute("data-code") == "handout_not_active" and "thu hồi" in refused.inner_text()
    assert queue_count(page) == "0" and Visit.objects.count() == 1
    refused.locator("button.discard").click()
    page.locator("#open-session").wait_for()  # all settled: the session's personal data is gone
    visit = Visit.objects.get()
    assert (visit.handout, visit.visited_by.username, visit.vneid_level) == (handout, "to_cns_bancon", 2)
    assert visit.online_service_used and visit.cashless_account_open and visit.cashless_used
    assert visit.note == "Đã hướng dẫn cài VNeID" and visit.visited_on == datetime.date.today()
    assert queue_count(page) == "0"
