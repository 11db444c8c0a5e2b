namespace Nexus.Data;
