using FastScore.Streams.Descriptors;
using FastScore.Streams.Odbc;
using FastScore.Streams.Transports;

namespace FastScore.Streams
{
    /// <summary>Registers the <c>odbc</c> transport on <see cref="IFastScoreStreamsBuilder"/>.</summary>
    public static class OdbcFastScoreStreamsBuilderExtensions
    {
        /// <summary>Registers the <c>odbc</c> transport: <c>SelectQuery</c> rows as JSON records, records as batched <c>INSERT</c>s (docs/odbc.md).</summary>
        /// <param name="builder">The builder from <c>services.AddFastScoreStreams()</c>.</param>
        /// <returns>The same builder instance so that multiple calls can be chained.</returns>
        public static IFastScoreStreamsBuilder AddOdbcTransport(this IFastScoreStreamsBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddTransport(new OdbcTransportProvider());
        }
    }

    /// <summary>Registers the <c>odbc</c> transport on <see cref="StreamFactoryOptions"/> (without dependency injection).</summary>
    public static class OdbcStreamFactoryOptionsExtensions
    {
        /// <summary>Registers (or replaces) the <c>odbc</c> transport.</summary>
        /// <param name="options">The registries.</param>
        /// <returns>The same options, for chaining.</returns>
        public static StreamFactoryOptions AddOdbc(this StreamFactoryOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Components.Add(new OdbcTransportProvider());
            return options;
        }
    }
}

namespace FastScore.Streams.Odbc
{
    /// <summary>The <c>odbc</c> transport over System.Data.Odbc, or an ADO.NET provider named by <c>Provider</c>; it reads, checks and prints its own descriptor.</summary>
    internal sealed class OdbcTransportProvider : TransportProvider
    {
        public override string Type => OdbcTransportDescriptor.TypeName;

        public override IReadOnlyList<string>? Fields => ["ConnectionString", "Provider", "SelectQuery", "InsertIntoTable", "OutputFields", "Timeout"];

        public override bool PreservesRecordBoundaries => true;

        protected override TransportDescriptor Read(DescriptorFields fields) => new OdbcTransportDescriptor
        {
            ConnectionString = fields.RequiredString("ConnectionString"),
            Provider = fields.OptionalString("Provider"),
            SelectQuery = fields.OptionalString("SelectQuery"),
            InsertIntoTable = fields.OptionalString("InsertIntoTable"),
            OutputFields = fields.OptionalStringArray("OutputFields"),
            Timeout = (int?)fields.OptionalInteger("Timeout", "a non-negative number of milliseconds or null", null),
        };

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) => new OdbcInput(Settings(descriptor, context));

        public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) => new OdbcOutput(Settings(descriptor, context));

        private static OdbcSettings Settings(StreamDescriptor descriptor, TransportContext context)
        {
            var odbc = (OdbcTransportDescriptor)descriptor.Transport;
            return new OdbcSettings
            {
                StreamName = context.StreamName,
                ConnectionString = odbc.ConnectionString,
                Factory = ProviderFactory(odbc.Provider),
                SelectQuery = odbc.SelectQuery,
                InsertIntoTable = odbc.InsertIntoTable,
                OutputFields = odbc.OutputFields,
                Timeout = odbc.Timeout,
            };
        }

        /// <summary>ODBC unless the descriptor names an ADO.NET provider the host registered (<c>DbProviderFactories.RegisterFactory</c>).</summary>
        private static System.Data.Common.DbProviderFactory ProviderFactory(string? provider)
        {
            if (provider is null || provider.Trim().Equals("odbc", StringComparison.OrdinalIgnoreCase) || provider.Trim() == OdbcSettings.OdbcProvider)
            {
                return System.Data.Odbc.OdbcFactory.Instance;
            }

            return System.Data.Common.DbProviderFactories.TryGetFactory(provider.Trim(), out System.Data.Common.DbProviderFactory? factory)
                ? factory
                : throw new DescriptorException("Transport.Provider", $"no ADO.NET provider named '{provider}' is registered; the host registers one with DbProviderFactories.RegisterFactory(\"{provider.Trim()}\", ...) (registered: {string.Join(", ", System.Data.Common.DbProviderFactories.GetProviderInvariantNames().Order(StringComparer.Ordinal))}), or leave Provider null for ODBC.");
        }
    }
}
