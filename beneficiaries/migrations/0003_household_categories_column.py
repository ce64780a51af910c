"""Household categories move from a table (one row per category) into a JSON column on
the household: {category: year recognised or null}. Existing rows are copied over."""

from django.db import migrations, models

CATEGORIES = ("poor", "near_poor", "policy", "social_protection", "other")

# PostgreSQL can check the shape of the object; SQLite cannot (no subqueries in CHECK),
# there the services are the only writers and validate the keys.
PG_CHECK = (
    "ALTER TABLE beneficiaries_household ADD CONSTRAINT household_categories_known CHECK ("
    "jsonb_typeof(categories) = 'object' "
    "AND (categories - ARRAY[{keys}]::text[]) = '{{}}'::jsonb "
    "AND NOT jsonb_path_exists(categories, '$.* ? (@.type() != \"number\" && @.type() != \"null\")'))"
).format(keys=", ".join(f"'{c}'" for c in CATEGORIES))


def rows_to_column(apps, schema_editor):
    Household = apps.get_model("beneficiaries", "Household")
    HouseholdCategory = apps.get_model("beneficiaries", "HouseholdCategory")
    found: dict[int, dict] = {}
    for hid, category, year in HouseholdCategory.objects.values_list("household_id", "category", "year"):
        found.setdefault(hid, {})[category] = year
    for hid, categories in found.items():
        Household.objects.filter(pk=hid).update(categories=categories)


def column_to_rows(apps, schema_editor):
    Household = apps.get_model("beneficiaries", "Household")
    HouseholdCategory = apps.get_model("beneficiaries", "HouseholdCategory")
    HouseholdCategory.objects.bulk_create(
        [HouseholdCategory(household_id=hid, category=c, year=y)
         for hid, categories in Household.objects.values_list("pk", "categories") for c, y in categories.items()],
        batch_size=2000)


def add_pg_check(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CHECK)


def drop_pg_check(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE beneficiaries_household DROP CONSTRAINT household_categories_known")


class Migration(migrations.Migration):

    dependencies = [
        ("beneficiaries", "0002_fewer_fk_checks_on_import"),
    ]

    operations = [
        # The old reverse name would clash with the new field in the migration state.
        migrations.AlterField(
            model_name="householdcategory",
            name="household",
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="category_rows",
                                    to="beneficiaries.household"),
        ),
        migrations.AddField(
            model_name="historicalhousehold",
            name="categories",
            field=models.JSONField(blank=True, default=dict, verbose_name="diện"),
        ),
        migrations.AddField(
            model_name="household",
            name="categories",
            field=models.JSONField(blank=True, default=dict, verbose_name="diện"),
        ),
        migrations.RunPython(rows_to_column, column_to_rows),
        migrations.DeleteModel(name="HouseholdCategory"),
        migrations.RunPython(add_pg_check, drop_pg_check),
        migrations.AlterField(
            model_name="historicalhousehold",
            name="history_date",
            field=models.DateTimeField(),
        ),
    ]
