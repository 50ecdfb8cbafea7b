#!/usr/bin/env bash
# Adds a migration with the same name to every provider's migrations assembly, so SQLite, SQL Server
# and PostgreSQL never drift apart. Usage: migrations/add-migration.sh <Name>
set -euo pipefail
if [[ $# -ne 1 || ! $1 =~ ^[A-Z][A-Za-z0-9]+$ ]]; then
  echo "usage: $0 <MigrationName>   (PascalCase, e.g. AddClientTable)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite SqlServer PostgreSql; do
  project="migrations/PartnerGate.Migrations.$provider"
  echo "== $provider"
  dotnet ef migrations add "$1" --project "$project" --startup-project "$project" --output-dir Migrations
done
