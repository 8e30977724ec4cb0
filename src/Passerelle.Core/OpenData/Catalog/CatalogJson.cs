using System.Text.Json;
using System.Text.Json.Serialization;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// The catalogue as JSON, to keep it in the database between starts (ADR 37). A <see cref="CatalogText"/>'s arguments
/// are objects of a few kinds (a name in several languages, a text, a nested catalogue text), each written with its
/// kind so that it reads back as the same kind; an argument of another kind is refused rather than read back as
/// something else.
/// </summary>
internal static class CatalogJson
{
    public static JsonSerializerOptions Options { get; } = new(KeptRegistryValues.Json) { Converters = { new CatalogTextConverter() } };

    private sealed class CatalogTextConverter : JsonConverter<CatalogText>
    {
        public override CatalogText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return ReadText(document.RootElement, options);
        }

        private static CatalogText ReadText(JsonElement text, JsonSerializerOptions options)
        {
            var key = text.GetProperty("key").GetString() ?? throw new JsonException("A catalogue text has no key.");
            var args = text.GetProperty("args").EnumerateArray().Select(a => ReadArgument(a, options)).ToArray();
            return new CatalogText(key, args);
        }

        private static object? ReadArgument(JsonElement argument, JsonSerializerOptions options)
        {
            if (argument.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var (kind, value) = argument.EnumerateObject().Select(p => (p.Name, p.Value)).Single();
            return kind switch
            {
                "text" => value.GetString(),
                "localized" => value.Deserialize<LocalizedText>(options),
                "catalog" => ReadText(value, options),
                _ => throw new JsonException($"A catalogue text's argument of kind '{kind}' is not known."),
            };
        }

        public override void Write(Utf8JsonWriter writer, CatalogText value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("key", value.Key);
            writer.WriteStartArray("args");
            foreach (var argument in value.Args)
            {
                switch (argument)
                {
                    case null:
                        writer.WriteNullValue();
                        break;
                    case string text:
                        writer.WriteStartObject();
                        writer.WriteString("text", text);
                        writer.WriteEndObject();
                        break;
                    case LocalizedText localized:
                        writer.WriteStartObject();
                        writer.WritePropertyName("localized");
                        JsonSerializer.Serialize(writer, localized, options);
                        writer.WriteEndObject();
                        break;
                    case CatalogText nested:
                        writer.WriteStartObject();
                        writer.WritePropertyName("catalog");
                        Write(writer, nested, options);
                        writer.WriteEndObject();
                        break;
                    default:
                        throw new JsonException($"A catalogue text's argument of type {argument.GetType().Name} cannot be kept.");
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
