using System.Text;
using Fleet.Core.Records;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// The payment accounts Fleet associates with an identity (spec §3.7): its own address as <c>default</c>, and each
/// bank keystore it proved with its password at a deploy (kept in <c>dcp/accounts/&lt;identity&gt;</c>, keyed by the
/// account's address, the value its name). Fleet charges nothing: every balance is 0.
/// </summary>
internal sealed class DcpAccounts(FacadeRecords records)
{
    public const string DefaultName = "default";

    /// <summary>Accounts listed, at most.</summary>
    private const int Limit = 1000;

    public async Task<IReadOnlyList<DcpAccount>> ListAsync(string identity, CancellationToken cancellationToken)
    {
        var accounts = new List<DcpAccount> { new(DefaultName, identity) };
        foreach (var record in await records.ListAsync(Namespace(identity), "", Limit, cancellationToken))
        {
            if (record.Key != identity)
            {
                accounts.Add(new DcpAccount(Encoding.UTF8.GetString(record.Value), record.Key));
            }
        }

        return accounts;
    }

    /// <summary>Keeps a bank account the identity proved it holds; its name is a short form of its address.</summary>
    public async Task<DcpAccount> AddAsync(string identity, string address, CancellationToken cancellationToken)
    {
        var account = new DcpAccount($"bank-{address[2..10]}", address);
        if (address != identity)
        {
            await records.PutAsync(Namespace(identity), address, Encoding.UTF8.GetBytes(account.Name), null, cancellationToken);
        }

        return account;
    }

    private static string Namespace(string identity) => $"dcp/accounts/{identity}";
}

/// <summary>A payment account: its name and address (<c>0x</c> + 40 lower-case hex).</summary>
internal sealed record DcpAccount(string Name, string Address);
