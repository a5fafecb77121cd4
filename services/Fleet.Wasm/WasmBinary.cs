namespace Fleet.Wasm;

/// <summary>
/// The little of the WebAssembly binary format Fleet edits: a module built without <c>--export-table</c> (upstream's
/// builds) gets its function table exported, so that a chained call by function pointer (<c>__faasm_chain_ptr</c>)
/// can find the function.
/// </summary>
public static class WasmBinary
{
    public const string TableExport = "__indirect_function_table";

    private const byte ImportSection = 2;
    private const byte TableSection = 4;
    private const byte ExportSection = 7;
    private const byte TableKind = 1;

    /// <summary>Sections that come after the export section in a module's order (start, element, data count, code, data).</summary>
    private static readonly byte[] AfterExports = [8, 9, 12, 10, 11];

    public static bool IsModule(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 8 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

    /// <summary>The module with its first table exported as <see cref="TableExport"/>: unchanged when it exports a table or has none.</summary>
    public static byte[] WithTableExported(byte[] module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var sections = Sections(module);
        var hasTable = sections.Any(s => s.Id == TableSection && Count(module, s) > 0)
            || sections.Any(s => s.Id == ImportSection && ImportsTable(module, s));
        var exportIndex = sections.FindIndex(s => s.Id == ExportSection);
        if (!hasTable || (exportIndex >= 0 && ExportsTable(module, sections[exportIndex])))
        {
            return module;
        }

        var entry = new List<byte>();
        Name(entry, TableExport);
        entry.Add(TableKind);
        entry.Add(0);

        var content = new List<byte>();
        if (exportIndex >= 0)
        {
            var exports = sections[exportIndex];
            var position = exports.Start;
            var count = ReadLeb(module, ref position);
            WriteLeb(content, count + 1);
            content.AddRange(module.AsSpan(position, exports.Start + exports.Size - position).ToArray());
        }
        else
        {
            WriteLeb(content, 1);
        }

        content.AddRange(entry);
        var section = new List<byte> { ExportSection };
        WriteLeb(section, (uint)content.Count);
        section.AddRange(content);

        // Replace the export section, or put a new one before the first section that must follow it.
        int cut, skip = 0;
        if (exportIndex >= 0)
        {
            cut = sections[exportIndex].Header;
            skip = sections[exportIndex].Start + sections[exportIndex].Size - cut;
        }
        else
        {
            var next = sections.FindIndex(s => AfterExports.Contains(s.Id));
            cut = next >= 0 ? sections[next].Header : module.Length;
        }

        return [.. module.AsSpan(0, cut), .. section, .. module.AsSpan(cut + skip)];
    }

    private readonly record struct Section(byte Id, int Header, int Start, int Size);

    private static List<Section> Sections(byte[] module)
    {
        if (!IsModule(module))
        {
            throw new FormatException("not a WebAssembly module");
        }

        var sections = new List<Section>();
        var position = 8;
        while (position < module.Length)
        {
            var header = position;
            var id = module[position++];
            var size = (int)ReadLeb(module, ref position);
            if (size < 0 || position + size > module.Length)
            {
                throw new FormatException("a section runs past the module's end");
            }

            sections.Add(new Section(id, header, position, size));
            position += size;
        }

        return sections;
    }

    private static uint Count(byte[] module, Section section)
    {
        var position = section.Start;
        return ReadLeb(module, ref position);
    }

    private static bool ExportsTable(byte[] module, Section section)
    {
        var position = section.Start;
        for (var count = ReadLeb(module, ref position); count > 0; count--)
        {
            SkipName(module, ref position);
            var kind = module[position++];
            ReadLeb(module, ref position);
            if (kind == TableKind)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ImportsTable(byte[] module, Section section)
    {
        var position = section.Start;
        for (var count = ReadLeb(module, ref position); count > 0; count--)
        {
            SkipName(module, ref position);
            SkipName(module, ref position);
            switch (module[position++])
            {
                case 0: // a function: its type index
                    ReadLeb(module, ref position);
                    break;
                case TableKind:
                    return true;
                case 2: // a memory: its limits
                    SkipLimits(module, ref position);
                    break;
                case 3: // a global: its value type and mutability
                    position += 2;
                    break;
                case 4: // a tag: attribute and type index
                    position++;
                    ReadLeb(module, ref position);
                    break;
                default:
                    throw new FormatException("an import of an unknown kind");
            }
        }

        return false;
    }

    private static void SkipLimits(byte[] module, ref int position)
    {
        var flags = module[position++];
        ReadLeb(module, ref position);
        if ((flags & 1) != 0)
        {
            ReadLeb(module, ref position);
        }
    }

    private static void SkipName(byte[] module, ref int position)
    {
        var length = (int)ReadLeb(module, ref position);
        position += length;
    }

    private static void Name(List<byte> output, string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        WriteLeb(output, (uint)bytes.Length);
        output.AddRange(bytes);
    }

    private static uint ReadLeb(byte[] module, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= module.Length)
            {
                throw new FormatException("the module ends inside a number");
            }

            var b = module[position++];
            value |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("a number of more than 32 bits");
    }

    private static void WriteLeb(List<byte> output, uint value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            output.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
