using Lucene.Net.Codecs;
using Lucene.Net.Codecs.Compressing;
using Lucene.Net.Codecs.Lucene46;

namespace Passerelle.Core.Search;

/// <summary>
/// Lucene 4.6's codec with stored fields compressed in chunks of 2 KB instead of 16 KB. A page of hits reads the
/// stored fields of 20 random documents, and a document is read by decompressing its chunk up to it: with 16 KB chunks
/// that was 34-44 µs per document (0.7-0.9 ms per search, as much as the matching at 100 k projects); with 2 KB, about
/// one document per chunk, 6-9 µs, for an 18 % larger stored-fields file (issue 17, ADR 7). Registered once, before any
/// index is opened, so that segments written with it can be read (<see cref="Register"/>).
/// </summary>
[CodecName(CodecName)]
public sealed class SearchCodec : FilterCodec
{
    public const string CodecName = "PasserelleSearch1";

    private readonly StoredFieldsFormat _storedFields =
        new CompressingStoredFieldsFormat(CodecName + "Stored", CompressionMode.FAST, chunkSize: 2048);

    public SearchCodec()
        : base(new Lucene46Codec())
    {
    }

    public override StoredFieldsFormat StoredFieldsFormat => _storedFields;

    private static readonly Lazy<SearchCodec> Registered = new(() =>
    {
        // Lucene finds a segment's codec by the name written in it: the factory must know this one.
        Codec.SetCodecFactory(new DefaultCodecFactory { CustomCodecTypes = [typeof(SearchCodec)] });
        return (SearchCodec)ForName(CodecName);
    });

    /// <summary>Makes the codec known to Lucene (once per process) and returns it, for new segments.</summary>
    public static SearchCodec Register() => Registered.Value;
}
