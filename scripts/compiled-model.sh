#!/usr/bin/env bash
# Regenerates the EF Core compiled models (src/Passerelle.Core/Data/CompiledModels, ADR 35) after a change to an entity
# or its configuration; CompiledModelTests fails until this is run. Uses the dotnet-ef of the repository's tool manifest
# (dotnet-tools.json), restored here, which must be the EF Core version of Directory.Packages.props.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(grep -oP 'Include="Microsoft.EntityFrameworkCore" Version="\K[^"]+' Directory.Packages.props)
# The manifest as dotnet reads it (`dotnet tool list --local`), not the JSON by hand.
tool=$(dotnet tool list --local | awk '$1 == "dotnet-ef" { print $2 }')
if [ "$tool" != "$version" ]; then
  echo "error: dotnet-tools.json pins dotnet-ef $tool but Directory.Packages.props has EF Core $version: update the manifest (dotnet tool update dotnet-ef --version $version)" >&2
  exit 1
fi
dotnet tool restore >/dev/null
ef=(dotnet tool run dotnet-ef)

# Generated beside the build output first (the project must keep compiling against the current models meanwhile),
# then swapped in whole, so that an entity type removed from the model leaves no file behind.
cd src/Passerelle.Core
for context in Sqlite Postgres; do
  out="obj/compiled-model/$context"
  rm -rf "$out"
  if ! log=$("${ef[@]}" dbcontext optimize --context "${context}DbContext" --output-dir "$out" \
    --namespace "Passerelle.Core.Data.CompiledModels.$context" 2>&1); then
    echo "$log" >&2
    echo "error: dotnet ef dbcontext optimize failed for ${context}DbContext" >&2
    exit 1
  fi
  rm -rf "Data/CompiledModels/$context"
  mv "$out" "Data/CompiledModels/$context"
  echo "Data/CompiledModels/$context: $(ls "Data/CompiledModels/$context" | wc -l) files"
done
