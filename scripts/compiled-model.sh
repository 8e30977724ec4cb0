#!/usr/bin/env bash
# Regenerates the EF Core compiled models (src/Passerelle.Core/Data/CompiledModels, ADR 35) after a change to an entity
# or its configuration; CompiledModelTests fails until this is run. Needs the dotnet-ef tool of the EF Core version in
# Directory.Packages.props (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(grep -oP 'Include="Microsoft.EntityFrameworkCore" Version="\K[^"]+' Directory.Packages.props)
ef="$HOME/.dotnet/tools/dotnet-ef"
if ! "$ef" --version 2>/dev/null | grep -qx "$version"; then
  dotnet tool update --global dotnet-ef --version "$version" >/dev/null
fi

# Generated beside the build output first (the project must keep compiling against the current models meanwhile),
# then swapped in whole, so that an entity type removed from the model leaves no file behind.
cd src/Passerelle.Core
for context in Sqlite Postgres; do
  out="obj/compiled-model/$context"
  rm -rf "$out"
  if ! log=$("$ef" dbcontext optimize --context "${context}DbContext" --output-dir "$out" \
    --namespace "Passerelle.Core.Data.CompiledModels.$context" 2>&1); then
    echo "$log" >&2
    echo "error: dotnet ef dbcontext optimize failed for ${context}DbContext" >&2
    exit 1
  fi
  rm -rf "Data/CompiledModels/$context"
  mv "$out" "Data/CompiledModels/$context"
  echo "Data/CompiledModels/$context: $(ls "Data/CompiledModels/$context" | wc -l) files"
done
