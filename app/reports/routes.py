from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import jobs
from app.auth.access import admin_required, leader_required
from app.catalog import get_catalog
from app.columns import utcnow
from app.extensions import db
from app.forms import bounded_int
from app.localities import commune_in_province, communes
from app.urls import local_target

from . import data as report_data
from . import refresher, services, snapshot
from .charts import figures_chart, ranking_chart
from .forms import ImportForm, UnitChoiceForm
from .models import Unit

bp = Blueprint("reports", __name__, template_folder="templates")  # reports.css: app/static


def _targets():
    """The plan's targets are content: loaded, validated and reloaded with the catalog."""
    return get_catalog().targets


def _province() -> int:
    return current_app.config["PROVINCE_CODE"]


def _filters():
    """Year, group and period from the query string (bad values fall back to defaults)."""
    catalog, targets, today = get_catalog(), _targets(), snapshot.local_today()
    return (services.parse_year(request.args.get("year"), targets, today),
            services.parse_group(request.args.get("group"), catalog),
            services.parse_period(request.args.get("period"), today), today)


def _csv(body: str, filename: str) -> Response:
    return Response("\ufeff" + body, mimetype="text/csv",  # the BOM: Excel reads the accents
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _page(template: str, **context):
    today = snapshot.local_today()
    return render_template(template, now=utcnow(), columns=services.COLUMNS, cells=services.cells,
                           confirmed_note=lambda rows: services.confirmed_note(rows, get_catalog()),
                           years=services.year_choices(_targets(), today),
                           groups=get_catalog().groups, **context)


# -- dashboard -------------------------------------------------------------------------------

def _province_view():
    year, group, _period, _today = _filters()
    return services.province_view(_province(), year, group, get_catalog(), _targets())


@bp.get("/reports/")
@leader_required
def province():
    view = _province_view()
    chart = figures_chart("chart-province", _("Tiến độ của tỉnh theo nhóm, năm %(y)s", y=view.year),
                          view.groups)
    return _page("reports/province.html", view=view, chart=chart)


@bp.get("/reports/province.csv")
@leader_required
def province_csv():
    view = _province_view()
    return _csv(services.rows_csv(view.groups + view.communes),
                f"tien-do-tinh-{view.province_code}-{view.year}-{view.group.slug}.csv")


def _commune_view(commune_code: int):
    if not commune_in_province(commune_code, _province()):
        abort(404)
    year, group, _period, _today = _filters()
    return services.commune_view(_province(), commune_code, year, group, get_catalog(), _targets())


@bp.get("/reports/communes/<int:commune_code>")
@leader_required
def commune(commune_code: int):
    view = _commune_view(commune_code)
    chart = figures_chart("chart-commune", _("Tiến độ của %(c)s theo nhóm, năm %(y)s", c=view.name,
                                             y=view.year), view.groups)
    return _page("reports/commune.html", view=view, chart=chart)


@bp.get("/reports/communes/<int:commune_code>.csv")
@leader_required
def commune_csv(commune_code: int):
    view = _commune_view(commune_code)
    return _csv(services.rows_csv(view.groups + [row for _unit, row in view.units]),
                f"tien-do-xa-{commune_code}-{view.year}-{view.group.slug}.csv")


def _unit_view(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    if unit.province_code != _province():
        abort(404)
    year, _group, _period, _today = _filters()
    return services.unit_view(unit, year, get_catalog(), _targets())


@bp.get("/reports/units/<int:unit_id>")
@leader_required
def unit(unit_id: int):
    view = _unit_view(unit_id)
    chart = figures_chart("chart-unit", _("Tiến độ của %(u)s theo nhóm, năm %(y)s",
                                          u=view.unit.name, y=view.year), view.groups)
    return _page("reports/unit.html", view=view, chart=chart, kinds=report_data.UNIT_KIND_LABELS)


@bp.get("/reports/units/<int:unit_id>.csv")
@leader_required
def unit_csv(unit_id: int):
    view = _unit_view(unit_id)
    return _csv(services.rows_csv(view.groups), f"tien-do-don-vi-{unit_id}-{view.year}.csv")


# -- rankings --------------------------------------------------------------------------------

UNITS_PER_PAGE = 100


def _rankings():
    year, group, period, today = _filters()
    indicator = request.args.get("by")
    if indicator not in services.INDICATOR_LABELS:
        indicator = "confirmed" if _targets().get(year, group.slug).confirmed is not None \
            else "trained"
    # The target is cumulative: compare it with "from the start", for this year.
    target = _targets().get(services.parse_year(None, _targets(), today), group.slug).get(indicator)
    return group, period, indicator, target, today


@bp.get("/reports/rankings")
@leader_required
def rankings():
    group, period, indicator, target, today = _rankings()
    communes = services.rank_communes(_province(), group, period, indicator, target)
    units = services.rank_units(_province(), group, period, indicator, target)
    page = max(1, request.args.get("page", 1, type=bounded_int))
    pages = max(1, -(-len(units) // UNITS_PER_PAGE))
    page = min(page, pages)
    chart = ranking_chart("chart-ranking", _("10 xã, phường dẫn đầu: %(i)s",
                                             i=services.INDICATOR_LABELS[indicator]),
                          communes, target if period.key == "all" else None)
    return _page("reports/rankings.html", group=group, period=period, indicator=indicator,
                 target=target, communes=communes, chart=chart,
                 units=units[(page - 1) * UNITS_PER_PAGE:page * UNITS_PER_PAGE], page=page,
                 pages=pages, unit_total=len(units), periods=services.periods(today),
                 indicators=services.INDICATOR_LABELS)


@bp.get("/reports/rankings.csv")
@leader_required
def rankings_csv():
    group, period, indicator, target, _today = _rankings()
    what = "units" if request.args.get("what") == "units" else "communes"
    ranking = services.rank_units if what == "units" else services.rank_communes
    ranked = ranking(_province(), group, period, indicator, target)
    return _csv(services.ranking_csv(ranked),
                f"xep-hang-{what}-{group.slug}-{indicator}-{period.key}.csv")


@bp.get("/reports/ambassadors")
@leader_required
def ambassadors():
    _year, _group, period, today = _filters()
    before = request.args.get("before", type=bounded_int)
    actions = services.recent_actions(_province(), before)
    return _page("reports/ambassadors.html", period=period, periods=services.periods(today),
                 ranked=services.rank_ambassadors(_province(), period), actions=actions,
                 as_of=snapshot.last_refresh(_province()),
                 older=actions[-1][0].id if len(actions) == 50 else None)


@bp.get("/reports/ambassadors.csv")
@leader_required
def ambassadors_csv():
    _year, _group, period, _today = _filters()
    return _csv(services.ambassadors_csv(services.rank_ambassadors(_province(), period)),
                f"dai-su-so-{period.key}.csv")


# -- data: units, denominators, refresh (admins) ---------------------------------------------

def _data_page(status: int = 200, **context):
    context.setdefault("units_form", ImportForm(formdata=None, prefix="units"))
    context.setdefault("denominators_form", ImportForm(formdata=None, prefix="denominators"))
    return _page("reports/data.html", summary=report_data.data_summary(_province()),
                 as_of=snapshot.last_refresh(_province()), targets=_targets(),
                 kinds=report_data.UNIT_KIND_LABELS,
                 # The examples name a real commune of the province, so they import as shown.
                 example_commune=communes(_province())[0][0], **context), status


@bp.get("/reports/data")
@admin_required
def data():
    return _data_page()


@bp.post("/reports/data/units")
@admin_required
def import_units():
    form = ImportForm(prefix="units")
    if not form.validate_on_submit():
        return _data_page(400, units_form=form)
    rows, problems = report_data.parse_units(form.data.data.read(report_data.MAX_CSV_BYTES + 1),
                                          _province())
    if problems:
        return _data_page(400, units_form=form, units_problems=problems)
    created, updated = report_data.import_units(rows, _province(), current_user.id)
    flash(_("Đã nhập danh sách đơn vị: %(c)s đơn vị mới, %(u)s đơn vị đổi loại.", c=created,
            u=updated), "success")
    return redirect(url_for("reports.data"))


@bp.post("/reports/data/denominators")
@admin_required
def import_denominators():
    form = ImportForm(prefix="denominators")
    if not form.validate_on_submit():
        return _data_page(400, denominators_form=form)
    rows, problems = report_data.parse_denominators(
        form.data.data.read(report_data.MAX_CSV_BYTES + 1), _province(), get_catalog())
    if problems:
        return _data_page(400, denominators_form=form, denominators_problems=problems)
    created, updated = report_data.import_denominators(rows, _province(), current_user.id)
    flash(_("Đã nhập mẫu số: %(c)s dòng mới, %(u)s dòng thay đổi. Số liệu mới hiện ngay "
            "trên bảng điều khiển.", c=created, u=updated), "success")
    return redirect(url_for("reports.data"))


def _back(target: str | None) -> str:
    """Where a refresh's page leads back: a reports page, never elsewhere."""
    return local_target(target, prefix="/reports/", fallback=url_for("reports.province"))


@bp.post("/reports/refresh")
@admin_required
def refresh():
    """Start the refresh job (or find the one running) and answer with its page at once."""
    job = refresher.start_refresh(_province(), current_user.id)
    return redirect(url_for("reports.refresh_job", job_id=job.id,
                            next=_back(request.form.get("next"))), 303)


@bp.get("/reports/refresh/<job_id>")
@admin_required
def refresh_job(job_id: str):
    """Its progress (the page refreshes itself), then what it counted and how long it took."""
    job = jobs.job_of(None, job_id, refresher.KIND) or abort(404)
    return _page("reports/refresh.html", job=job, back=_back(request.args.get("next")),
                 as_of=snapshot.last_refresh(_province()))


# -- everyone --------------------------------------------------------------------------------

@bp.get("/progress")
def public():
    """The province's progress for anyone: counts and percentages, no personal data."""
    year = services.parse_year(None, _targets(), snapshot.local_today())
    view = services.province_view(_province(), year, services.parse_group(None, get_catalog()),
                                  get_catalog(), _targets())
    chart = figures_chart("chart-public", _("Tiến độ của tỉnh theo nhóm, năm %(y)s", y=year),
                          view.groups)
    response = current_app.make_response(_page("reports/public.html", view=view, chart=chart))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.route("/me/unit", methods=["GET", "POST"])
@login_required
def my_unit():
    units = report_data.units_of_commune(current_user.commune_code)
    form = UnitChoiceForm(data={"unit_id": current_user.unit_id or 0})
    form.fill_choices(units)
    if form.validate_on_submit():
        try:
            report_data.set_unit(current_user, form.unit_id.data)
        except report_data.ReportError as exc:
            form.unit_id.errors.append(str(exc.message))
        else:
            flash(_("Đã lưu đơn vị của bạn."), "success")
            return redirect(url_for("reports.my_unit"))
    return render_template("reports/my_unit.html", form=form, units=units), \
        400 if form.errors else 200
