using System.Buffers;
using System.Globalization;
using System.Text;
using CsCheck;
using CsvHelper;
using CsvField = FastScore.Streams.Encodings.Csv.CsvField;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Fuzz;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// The csv encoding and the delimited-csv envelope on generated input: the fuzz targets' invariants (bad input is rejected
/// with a reason, never thrown), and agreement with CsvHelper's parser and writer on every valid file.
/// </summary>
public sealed class CsvPropertyTests
{
    [Test]
    public void Csv_rows_are_decoded_or_rejected_never_thrown() => Property.Check(CsvGen.Rows, CsvTarget.Run, seed: 1501, iterations: 3000);

    [Test]
    public void Delimited_csv_streams_are_framed_like_the_reference_and_never_throw() => Property.Check(CsvGen.Streams, DelimitedCsvTarget.Run, seed: 1502, iterations: 3000);

    private static readonly Gen<string> s_text = Gen.OneOf(
        Gen.String[Gen.Char["ab ,;\"'\r\n\té☮"], 0, 8],
        Gen.Const(""), Gen.Const("\""), Gen.Const(" lead"), Gen.Const("trail "), Gen.Const("\r\n"));

    private static readonly Gen<string[][]> s_table = Gen.Int[1, 5].SelectMany(columns => s_text.Array[columns].Array[1, 6]);

    // CsvHelper's separator is one ASCII character: a delimiter of several characters is checked by the round trip here only.
    private static readonly Gen<(string Delimiter, char Quote)> s_format = Gen.OneOf(Gen.Const((",", '"')), Gen.Const((";", '\'')), Gen.Const(("|", '"')), Gen.Const(("\t", '"')));

    [Test]
    public void A_delimiter_of_several_characters_round_trips_through_the_writer_framer_and_parser_here()
    {
        Gen.Select(s_table, Gen.OneOf(Gen.Const("||"), Gen.Const(";;"), Gen.Const("☮"))).Sample((table, delimiter) =>
        {
            var csv = new CsvFormat(delimiter, '"');
            Assert.That(ReadHere(Write(table, csv, "\r\n"), csv), Is.EqualTo(table));
        }, seed: "0N2Yd8gJfPM1", iter: 2000, threads: 1);
    }

    private static string Write(string[][] table, CsvFormat csv, string newline)
    {
        var file = new StringBuilder();
        foreach (string[] row in table)
        {
            var output = new ArrayBufferWriter<byte>();
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    output.Write(csv.Delimiter);
                }

                CsvValues.WriteText(output, row[i], csv);
            }

            file.Append(Encoding.UTF8.GetString(output.WrittenSpan)).Append(newline);
        }

        return file.ToString();
    }

    [Test]
    public void Files_written_here_are_read_by_CsvHelper_and_by_the_framer_and_parser_here_as_the_same_fields()
    {
        Gen.Select(s_table, s_format, Gen.Bool).Sample((table, format, crlf) =>
        {
            var csv = new CsvFormat(format.Delimiter, format.Quote);
            string text = Write(table, csv, crlf ? "\r\n" : "\n");
            string[][] ours = ReadHere(text, csv);
            string[][] theirs = ReadWithCsvHelper(text, format.Delimiter, format.Quote);
            Assert.That(ours, Is.EqualTo(table), text);
            Assert.That(theirs, Is.EqualTo(table), text);
        }, seed: "0N2Yd8gJfPM2", iter: 3000, threads: 1);
    }

    [Test]
    public void Files_CsvHelper_writes_are_read_here_as_the_fields_it_wrote()
    {
        // CsvHelper writes with the quote '"' only.
        Gen.Select(s_table, s_format.Where(f => f.Quote == '"')).Sample((table, format) =>
        {
            CsvWriterOptions options = CsvWriterOptions.Default with { Separator = format.Delimiter[0] };
            using var writer = new StringWriter();
            using (var csvWriter = CsvWriter.Create(writer, options))
            {
                foreach (string[] row in table)
                {
                    csvWriter.WriteRecord(row);
                }
            }

            string text = writer.ToString();
            string[][] ours = ReadHere(text, new CsvFormat(format.Delimiter, format.Quote));
            // CsvHelper writes an empty string unquoted, and a row of one empty field as an empty line: read here as a
            // blank line, skipped; compare with the rows CsvHelper itself reads back.
            string[][] theirs = ReadWithCsvHelper(text, format.Delimiter, format.Quote);
            Assert.That(ours, Is.EqualTo(theirs), text);
        }, seed: "0N2Yd8gJfPM3", iter: 3000, threads: 1);
    }

    private static string[][] ReadHere(string text, CsvFormat format)
    {
        var framer = new DelimitedCsvFramer(format, null, "\r\n", skipHeader: false, skipBlankLines: true);
        FrameLog log = FrameReader.ReadAll(framer, new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)));
        var rows = new List<string[]>();
        foreach (byte[] frame in log.Frames)
        {
            var fields = new CsvField[64];
            Assert.That(CsvRowParser.TryParse(frame, format, fields.AsSpan(), out int count, out string? error), Is.True, error);
            rows.Add([.. fields.Take(count).Select(f => CsvValues.Text(frame, f, format.Quote))]);
        }

        return [.. rows];
    }

    private static string[][] ReadWithCsvHelper(string text, string delimiter, char quote)
    {
        CsvReaderOptions options = CsvReaderOptions.Default with { Separator = delimiter[0], Quote = quote, HasHeader = false, SkipEmptyLines = true, TrimWhitespace = false };
        using CsvReader reader = CsvReader.FromText(text, options);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        }

        return [.. rows];
    }
}
